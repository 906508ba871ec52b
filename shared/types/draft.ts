import type { SecurityChoice } from './security.js';

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
}

/** A file in the mailbox that could not be read, moved aside (never dropped) and reported. */
export interface MailboxProblem {
  readonly file: string;
  readonly movedTo: string;
  readonly reason: string;
}
