import { SANDBOX_CHANNELS } from '../../../shared/ipc/channels/sandbox.js';
import type { HandlerContext, Implementations } from './context.js';

/** The built-in sandbox server. */
export function sandboxHandlers(ctx: HandlerContext): Implementations<typeof SANDBOX_CHANNELS> {
  return {
    'sandbox:start': (ports) => ctx.sandbox.start(ports),
    'sandbox:stop': () => ctx.sandbox.stop(),
    'sandbox:status': () => ctx.sandbox.status(),
    'sandbox:read-message': ({ id }) => ctx.sandbox.read(id),
  };
}
