import type { DomainCheckResult, ServerCheckResult } from '../../types/posture.js';
import { channel } from '../channel.js';
import { checkDomainSchema, checkServerSchema, forecastSchema } from '../schemas.js';

/** Server and domain checks. */
export const POSTURE_CHANNELS = {
  /** Check a mail server's TLS posture (never logs in, never sends mail). */
  'posture:check-server': channel<ServerCheckResult>()(checkServerSchema),
  /** Check a recipient domain's delivery security and forecast the last hop. */
  'posture:check-domain': channel<DomainCheckResult>()(checkDomainSchema),
  /** A recipient domain's check and forecast, cached in main for a few minutes (the composer asks as addresses are typed). */
  'posture:forecast': channel<DomainCheckResult>()(forecastSchema),
} as const;
