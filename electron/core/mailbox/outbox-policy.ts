import type { ErrorData } from '../../../shared/types/errors.js';
import type { SubmissionReport } from '../../../shared/types/report.js';

/**
 * What becomes of a message after an attempt:
 * - `sent`: the server took it (2xx after the data) → Sent;
 * - `retry`: a temporary failure (network down, timeout, a 4xx reply) → stays in the Outbox for the next try,
 *   with the same security choice;
 * - `hold`: its fate is unknown (connection lost after the end of the data) → stays in the Outbox, never re-sent
 *   without the user's explicit click;
 * - `return`: a permanent failure (5xx, REQUIRETLS not supported, certificate refused, a setting to fix) or the
 *   user's cancel → back to Drafts with the reason.
 */
export type Disposition = 'sent' | 'retry' | 'hold' | 'return';

/** Failures that heal by themselves: the network, a busy or restarting server. */
const TEMPORARY_CODES = new Set(['ECONNECTION', 'ETIMEDOUT']);

/** The disposition of a finished attempt. */
export function dispositionOf(report: SubmissionReport): Disposition {
  if (report.outcome === 'accepted') return 'sent';
  if (report.outcome === 'uncertain') return 'hold';
  if (report.outcome === 'cancelled') return 'return';
  return isTemporary(report.error) ? 'retry' : 'return';
}

/**
 * A failure is temporary when the server said so (any 4xx reply, RFC 5321 §4.2.1: "the action may be requested
 * again") or when no server answered at all. Everything a security requirement refused is permanent: it would
 * fail the same way again, and only the user may change the message's security.
 */
export function isTemporary(error: ErrorData | undefined): boolean {
  if (!error) return false;
  if (error.reply) return error.reply.code >= 400 && error.reply.code < 500;
  return TEMPORARY_CODES.has(error.code);
}

/** Minutes between automatic tries: soon at first, then hourly, as MTAs do. */
export const RETRY_SCHEDULE_MS: readonly number[] = [1, 2, 5, 10, 30, 60].map((m) => m * 60_000);

/** How long a message is retried before it comes back to Drafts. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;

/** When to try again after `failures` failed attempts. */
export function nextAttemptAfter(failures: number, schedule: readonly number[] = RETRY_SCHEDULE_MS): number {
  return schedule[Math.min(Math.max(failures - 1, 0), schedule.length - 1)] ?? 60 * 60_000;
}
