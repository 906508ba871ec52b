import type { SandboxMessageEvent, SandboxStatus } from '../../types/sandbox.js';
import { channel, event } from '../channel.js';
import { emptySchema, sandboxStartSchema } from '../schemas.js';

/** The built-in sandbox server. */
export const SANDBOX_CHANNELS = {
  'sandbox:start': channel<SandboxStatus>()(sandboxStartSchema),
  'sandbox:stop': channel<SandboxStatus>()(emptySchema),
  'sandbox:status': channel<SandboxStatus>()(emptySchema),
} as const;

/** Events of the sandbox. */
export const SANDBOX_EVENTS = {
  'sandbox:message-received': event<SandboxMessageEvent>(),
} as const;
