import type { Draft } from './draft.js';
import type { ErrorData } from './errors.js';
import type { HopModel } from './hop-model.js';
import type { SubmissionOutcome, SubmissionReport } from './report.js';

/**
 * Where a message in the Outbox stands:
 * - `waiting`: a temporary failure; retried at `nextAttemptAt` (and on "Retry now"), with the same security choice;
 * - `sending`: an attempt is running (in this app, another window, or `hoplight outbox`);
 * - `uncertain`: the whole message was written but no verdict came back, or Hoplight stopped mid-send: it may have
 *   been delivered, so it is never re-sent without the user's explicit click (which warns of a duplicate).
 */
export type OutboxState = 'waiting' | 'sending' | 'uncertain';

/** One attempt to send an Outbox message. */
export interface OutboxAttempt {
  readonly at: string;
  readonly outcome: SubmissionOutcome | 'not-attempted';
  readonly error?: ErrorData;
}

/** A message in the Outbox: the draft as it was sent, its state and its attempts. Never a password. */
export interface OutboxEntry {
  readonly id: string;
  readonly draft: Draft;
  readonly state: OutboxState;
  readonly queuedAt: string;
  /** ISO time of the next automatic try (`waiting` only). */
  readonly nextAttemptAt?: string;
  /** After this time the message stops being retried and comes back to Drafts. */
  readonly giveUpAt: string;
  readonly attempts: readonly OutboxAttempt[];
  /** The report of the last attempt (for `uncertain`: what was seen before the verdict went missing). */
  readonly lastReport?: SubmissionReport;
  /** Who is sending it right now (`sending` only): a crashed sender is recognised by its process id. */
  readonly claimedBy?: { readonly pid: number; readonly host: string; readonly at: string };
}

/** A message in Sent: what was sent, when, and the whole report of the session that carried it. */
export interface SentMessage {
  readonly id: string;
  readonly draft: Draft;
  readonly sentAt: string;
  readonly report: SubmissionReport;
  /** The per-hop view as it was computed when the message was sent. */
  readonly hops: HopModel;
}

/** One line of the Sent list. */
export interface SentSummary {
  readonly id: string;
  readonly sentAt: string;
  readonly subject: string;
  readonly recipients: readonly string[];
  readonly securityChoice: Draft['securityChoice'];
  readonly headline: string;
  readonly tone: HopModel['tone'];
  readonly requireTlsAccepted: boolean;
  /** The Message-ID it went with (a delivered copy is matched by it). */
  readonly messageId: string;
}

/** Where a send left the message. */
export type Filing =
  | { readonly folder: 'sent'; readonly id: string }
  | { readonly folder: 'outbox'; readonly id: string; readonly state: OutboxState; readonly nextAttemptAt?: string }
  | { readonly folder: 'drafts'; readonly id: string; readonly reason: string };
