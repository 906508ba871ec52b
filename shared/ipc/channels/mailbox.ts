import type { MailboxProblem } from '../../types/draft.js';
import type { ErrorData } from '../../types/errors.js';
import type { Filing, OutboxEntry, SentMessage, SentSummary } from '../../types/mailbox.js';
import { channel, event } from '../channel.js';
import type { DeliveredPath } from '../../types/delivered.js';
import { analyzeDeliveredSchema, emptySchema, mailboxRefSchema, outboxRetrySchema, outboxSendSchema, sentSearchSchema } from '../schemas.js';
import type { SendResult } from './send.js';

/** What a send through the Outbox did: where the message is now, the attempt's result, or why none was made. */
export interface OutboxSendResult {
  readonly filing: Filing;
  readonly result?: SendResult;
  readonly error?: ErrorData;
}

/** The Outbox (sends that never lose a message) and Sent. */
export const MAILBOX_CHANNELS = {
  /** Sends a draft through the Outbox: accepted → Sent; temporary failure → Outbox; permanent → back to Drafts with the reason. */
  'outbox:send': channel<OutboxSendResult>()(outboxSendSchema),
  'outbox:list': channel<{ entries: OutboxEntry[]; problems: MailboxProblem[] }>()(emptySchema),
  /** Tries a message again now, with its own security choice; an uncertain one only with `duplicateOk`. */
  'outbox:retry': channel<OutboxSendResult>()(outboxRetrySchema),
  /** Moves a message back to Drafts (not sent), e.g. to change it or its security. */
  'outbox:to-drafts': channel<Filing>()(mailboxRefSchema),
  'sent:list': channel<{ messages: SentSummary[]; problems: MailboxProblem[] }>()(sentSearchSchema),
  /** One sent message with its report, per-hop view and the report as text. */
  'sent:open': channel<{ message: SentMessage; text: string }>()(mailboxRefSchema),
  /**
   * Reads a delivered copy (an .eml by path, or one picked in the system's dialog) and returns the path it records,
   * with the Sent message it matches by Message-ID; `path` absent when the dialog was cancelled.
   */
  'sent:analyze': channel<{ file?: string; path?: DeliveredPath; sentId?: string }>()(analyzeDeliveredSchema),
} as const;

/** Events of the mailbox. */
export const MAILBOX_EVENTS = {
  /** Drafts, Outbox or Sent changed (a send, an automatic retry): lists refresh. */
  'mailbox:changed': event<Record<string, never>>(),
} as const;
