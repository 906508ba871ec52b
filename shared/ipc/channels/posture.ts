import type { CheckStep, DomainCheckResult, RecentChecks, StoredCheck } from '../../types/posture.js';
import { channel, event } from '../channel.js';
import { checkDomainSchema, checkServerSchema, emptySchema, forecastSchema, forgetCheckSchema, sendCancelSchema, storedCheckSchema } from '../schemas.js';

/** Server and domain checks. */
export const POSTURE_CHANNELS = {
  /** Check a mail server's TLS posture (never logs in, never sends mail); the finished check is kept among the recent ones. */
  'posture:check-server': channel<StoredCheck>()(checkServerSchema),
  /** Check a recipient domain's delivery security and forecast the last hop; kept among the recent ones. */
  'posture:check-domain': channel<StoredCheck>()(checkDomainSchema),
  /** Cancel a running check by its operation id; `cancelled: false` when none runs under that id. */
  'posture:cancel': channel<{ cancelled: boolean }>()(sendCancelSchema),
  /** The recent checks kept in the data folder, newest first. */
  'posture:recent': channel<RecentChecks>()(emptySchema),
  /** Forget one kept check, or all of them. */
  'posture:forget': channel<RecentChecks>()(forgetCheckSchema),
  /** Save a kept check's JSON (the same document as `hoplight check --json`) where the user picks in the system's save dialog. */
  'posture:export': channel<{ savedTo?: string }>()(storedCheckSchema),
  /** A recipient domain's check and forecast, cached in main for a few minutes (the composer asks as addresses are typed). */
  'posture:forecast': channel<DomainCheckResult>()(forecastSchema),
} as const;

/** Events of checks. */
export const POSTURE_EVENTS = {
  /** A check's step started or ended. */
  'posture:progress': event<{ readonly operationId: string; readonly step: CheckStep }>(),
} as const;
