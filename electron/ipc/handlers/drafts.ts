import { DRAFT_CHANNELS } from '../../../shared/ipc/channels/drafts.js';
import { fromOf } from '../../core/accounts/account-fields.js';
import type { HandlerContext, Implementations } from './context.js';

/** Drafts in the data folder. */
export function draftHandlers(ctx: HandlerContext): Implementations<typeof DRAFT_CHANNELS> {
  const { drafts, deps } = ctx;
  const fromFor = (sender: string): string => {
    if (sender === 'sandbox') return 'You <you@sandbox.hoplight.test>';
    const account = deps.accounts.store.list().find((a) => a.id === sender);
    return account ? fromOf(account) : 'unknown@invalid';
  };
  return {
    'drafts:save': (draft) => drafts.save(draft as Parameters<typeof drafts.save>[0], fromFor(draft.sender)),
    'drafts:list': () => drafts.list(),
    'drafts:delete': ({ id }) => {
      drafts.remove(id);
      return { deleted: true as const };
    },
  };
}
