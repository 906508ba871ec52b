import type { SandboxMessageEvent, SandboxStatus } from '../../types/sandbox.js';
import { channel, event } from '../channel.js';
import { emptySchema, sandboxMessageSchema, sandboxStartSchema } from '../schemas.js';

/** The built-in sandbox server. */
export const SANDBOX_CHANNELS = {
  'sandbox:start': channel<SandboxStatus>()(sandboxStartSchema),
  'sandbox:stop': channel<SandboxStatus>()(emptySchema),
  'sandbox:status': channel<SandboxStatus>()(emptySchema),
  /** The raw message (headers and body, at most 2 MB shown) of one the sandbox received this run. */
  'sandbox:read-message': channel<{ readonly id: string; readonly raw: string; readonly truncated: boolean }>()(sandboxMessageSchema),
} as const;

/** Events of the sandbox. */
export const SANDBOX_EVENTS = {
  'sandbox:message-received': event<SandboxMessageEvent>(),
} as const;
