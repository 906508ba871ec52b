import type { ErrorCode } from './errors.js';
import type { SecurityChoice } from './security.js';

/** Why a message came back from the Outbox to Drafts: a permanent failure, or the user's own act. */
export interface ReturnedReason {
  /** ISO time it came back. */
  readonly at: string;
  /** What happened, in the server's or Hoplight's words (already sanitised for display). */
  readonly reason: string;
  readonly code?: ErrorCode;
  /** What the user can do about it. */
  readonly hint?: string;
}

/** A message being written, as it is kept on disk and restored: serialisable, never a password. */
export interface Draft {
  readonly id: string;
  /** An account id, or "sandbox". */
  readonly sender: string;
  readonly securityChoice: SecurityChoice;
  /** Recipients exactly as typed (they may still be invalid: a draft keeps what the user wrote). */
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly attachments: readonly { readonly path: string; readonly name: string; readonly size?: number }[];
  /** ISO time of the last save. */
  readonly updatedAt: string;
  /** Set when the message was sent and came back (a permanent failure): shown on the draft until it is sent again. */
  readonly returned?: ReturnedReason;
}

/** A file in the mailbox that could not be read, moved aside (never dropped) and reported. */
export interface MailboxProblem {
  readonly file: string;
  readonly movedTo: string;
  readonly reason: string;
}
