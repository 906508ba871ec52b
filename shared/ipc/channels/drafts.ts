import type { Draft, MailboxProblem } from '../../types/draft.js';
import { channel } from '../channel.js';
import { draftRefSchema, draftSaveSchema, emptySchema } from '../schemas.js';

/** Drafts, kept in the data folder as the user types (a Maildir with a sidecar per draft). */
export const DRAFT_CHANNELS = {
  /** Saves a draft atomically; the composer calls it about a second after each change. */
  'drafts:save': channel<Draft>()(draftSaveSchema),
  /** Every draft, most recent first, and any damaged file moved aside. */
  'drafts:list': channel<{ drafts: Draft[]; problems: MailboxProblem[] }>()(emptySchema),
  'drafts:delete': channel<{ deleted: true }>()(draftRefSchema),
} as const;
