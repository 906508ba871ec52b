import { DRAFT_CHANNELS } from '../../../shared/ipc/channels/drafts.js';
import type { Draft } from '../../../shared/types/draft.js';
import { fromForSender } from '../../core/mailbox/draft-request.js';
import type { HandlerContext, Implementations } from './context.js';

/** Drafts in the data folder. */
export function draftHandlers(ctx: HandlerContext): Implementations<typeof DRAFT_CHANNELS> {
  const { mailbox, deps, sandbox } = ctx;
  return {
    'drafts:save': (draft) => mailbox.drafts.save(draft as Omit<Draft, 'updatedAt'>, fromForSender(draft.sender, { accounts: deps.accounts, sandbox })),
    'drafts:list': () => mailbox.drafts.list(),
    'drafts:delete': ({ id }) => {
      mailbox.drafts.remove(id);
      return { deleted: true as const };
    },
  };
}
