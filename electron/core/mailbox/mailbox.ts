import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Draft } from '../../../shared/types/draft.js';
import type { ErrorData } from '../../../shared/types/errors.js';
import type { HopModel } from '../../../shared/types/hop-model.js';
import type { Filing, OutboxEntry } from '../../../shared/types/mailbox.js';
import type { SendRequest } from '../../../shared/types/message.js';
import type { SubmissionReport } from '../../../shared/types/report.js';
import { HoplightError, inputError, toErrorData } from '../errors.js';
import { withFileLock } from '../files/atomic-file.js';
import { visible } from '../report/visible.js';
import { FileEhloCache, type EhloCache } from '../smtp/ehlo-cache.js';
import { TlsSessions } from '../tls/session-store.js';
import { prepareSubmission, submitMessage, type SubmitOptions } from '../submit-message.js';
import { draftRecordSchema, OUTBOX_FORMAT_VERSION, storedOutboxSchema } from './draft-schema.js';
import { Drafts, draftAsMessage } from './drafts.js';
import { MaildirFolder, type MessageCopy } from './maildir.js';
import { dispositionOf, GIVE_UP_AFTER_MS, isTemporary, nextAttemptAfter, RETRY_SCHEDULE_MS } from './outbox-policy.js';
import { SentFolder } from './sent.js';

/** What the mailbox needs from its surroundings: how a draft becomes a request, and how a report becomes hops. */
export interface MailboxDeps {
  readonly dataDir: string;
  /** The request and password for a draft's sender (an account, the sandbox); throws when it cannot be sent. */
  readonly resolve: (draft: Draft, typedPassword?: string) => Promise<{ request: SendRequest; password: string | undefined }>;
  /** The From address a draft's sender stands for, for the queued .eml. */
  readonly fromFor: (sender: string) => string;
  /** The per-hop view of a report (with whatever the recipients' forecasts know). */
  readonly hopsFor: (report: SubmissionReport) => HopModel;
  /** Why this process cannot send a draft (the CLI cannot log in to the app's sandbox); undefined when it can. */
  readonly cannotSend?: (draft: Draft) => string | undefined;
  /** Called after any change to the Outbox, Drafts or Sent (the app refreshes its lists). */
  readonly onChange?: () => void;
  readonly now?: () => number;
  /** Delays between automatic tries (tests shorten them). */
  readonly retrySchedule?: readonly number[];
  readonly giveUpAfterMs?: number;
  /** Options for sends made without the user watching (automatic retries). */
  readonly backgroundOptions?: SubmitOptions;
  readonly logError?: (message: string, error: unknown) => void;
}

/** The result of a send or a retry: where the message went, and the attempt's report when one was made. */
export interface AttemptResult {
  readonly filing: Filing;
  readonly report?: SubmissionReport;
  readonly hops?: HopModel;
  /** When no attempt could be made (a setting, the keychain): why. */
  readonly error?: ErrorData;
}

/**
 * Drafts, Outbox and Sent, and the rules that move a message between them. A message is always in at least one
 * folder: it enters the Outbox before it leaves Drafts, and Sent before it leaves the Outbox. Retries always use the
 * security choice the message was queued with; only the user changes it (by moving it back to Drafts).
 */
export class Mailbox {
  readonly drafts: Drafts;
  readonly sent: SentFolder;
  private readonly outbox: MaildirFolder;
  private readonly queueLock: string;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private retrying = false;
  private stopped = true;
  /**
   * Passwords typed for accounts that ask at each send, by Outbox id: in this process's memory only (never on disk),
   * so retries of the same message need not ask again; forgotten when the message leaves the Outbox.
   */
  private readonly typed = new Map<string, string>();
  /** Servers' EHLO responses, for early pipelining where they advertise it (no secrets). */
  private readonly ehloCache: EhloCache;
  /** TLS sessions for resumption, in this process's memory only. */
  private readonly tlsSessions = new TlsSessions();

  constructor(private readonly deps: MailboxDeps) {
    this.drafts = new Drafts(deps.dataDir);
    this.sent = new SentFolder(deps.dataDir);
    this.outbox = new MaildirFolder(join(deps.dataDir, 'mailbox', 'Outbox'));
    this.queueLock = join(this.outbox.dir, 'queue');
    this.now = deps.now ?? Date.now;
    this.ehloCache = new FileEhloCache(join(deps.dataDir, 'ehlo-cache.json'));
  }

  get outboxDir(): string {
    return this.outbox.dir;
  }

  /** The Outbox, oldest first; a message left `sending` by a process that died is marked uncertain first. */
  async listOutbox(): Promise<{ entries: OutboxEntry[]; problems: { file: string; movedTo: string; reason: string }[] }> {
    return withFileLock(this.queueLock, async () => {
      const { items, problems } = this.outbox.readAll((value) => storedOutboxSchema.parse(value).entry as unknown as OutboxEntry);
      const entries: OutboxEntry[] = [];
      for (const entry of items) entries.push(await this.recoverCrashed(entry));
      return { entries: entries.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt)), problems };
    });
  }

  /**
   * Sends a draft now. It is queued in the Outbox first (and then leaves Drafts), so whatever happens — a crash, a
   * lost connection — the message is somewhere the user can see.
   */
  async send(input: Omit<Draft, 'updatedAt'>, options: SubmitOptions & { password?: string } = {}): Promise<AttemptResult> {
    const parsed = draftRecordSchema.safeParse({ ...input, updatedAt: this.iso() });
    if (!parsed.success) throw inputError(`draft.${parsed.error.issues[0]?.path.join('.') ?? ''}`, parsed.error.issues[0]?.message ?? 'invalid');
    const { returned: _returned, ...draft } = parsed.data as unknown as Draft; // sending again clears why it came back
    // Kept in Drafts first, so a refusal below (bad input, no password) never loses what was typed.
    const { updatedAt: _u, ...unsent } = draft;
    await this.drafts.save(unsent, this.deps.fromFor(draft.sender));
    // Bad input and missing settings are refused here, before anything is queued or connected, naming the field.
    const ready = await this.deps.resolve(draft, options.password);
    await prepareSubmission(ready.request, ready.password);
    const entry = await withFileLock(this.queueLock, async () => {
      const existing = this.readEntry(draft.id);
      if (existing) throw inputError('id', existing.state === 'uncertain' ? 'this message is in the Outbox and may have been delivered already.' : 'this message is already in the Outbox.');
      const queued: OutboxEntry = { id: draft.id, draft, state: 'sending', queuedAt: this.iso(), giveUpAt: this.iso(this.now() + (this.deps.giveUpAfterMs ?? GIVE_UP_AFTER_MS)), attempts: [], claimedBy: this.claim() };
      await this.writeEntry(queued);
      this.drafts.remove(draft.id);
      if (options.password) this.typed.set(draft.id, options.password);
      return queued;
    });
    this.changed();
    const { password: _typed, ...submit } = options;
    return this.attempt(entry, submit, ready);
  }

  /**
   * Tries an Outbox message again now, with the security choice it was queued with. A message that may have been
   * delivered is re-sent only with `duplicateOk` (the user's explicit click, after the warning).
   */
  async retry(id: string, options: SubmitOptions & { duplicateOk?: boolean; password?: string } = {}): Promise<AttemptResult> {
    return this.retryEntry(id, options, false);
  }

  private async retryEntry(id: string, options: SubmitOptions & { duplicateOk?: boolean; password?: string }, background: boolean): Promise<AttemptResult> {
    const typed = options.password ?? this.typed.get(id);
    let ready: Awaited<ReturnType<MailboxDeps['resolve']>> | undefined;
    let waiting: AttemptResult | undefined;
    const entry = await withFileLock(this.queueLock, async () => {
      const found = this.readEntry(id);
      if (!found) throw inputError('id', 'there is no message with this id in the Outbox.');
      const current = await this.recoverCrashed(found);
      if (current.state === 'sending') throw new HoplightError('ECONFIG', 'This message is being sent right now.', { hint: 'Wait for that attempt to finish.' });
      if (current.state === 'uncertain' && !options.duplicateOk) {
        throw new HoplightError('ECONFIG', 'This message may have been delivered already; sending it again could deliver it twice.', { hint: 'Confirm that you want to send it again (in the app, or with --duplicate-ok).' });
      }
      const cannot = this.deps.cannotSend?.(current.draft);
      if (cannot) throw new HoplightError('ECONFIG', cannot);
      // A setting or a password that is missing is said before the message is claimed: it stays where it is.
      try {
        ready = await this.deps.resolve(current.draft, typed);
      } catch (error) {
        const data = toErrorData(error);
        if (!background) throw error;
        // An automatic try cannot ask for a password (the app was restarted since it was typed): the message waits,
        // with why, until the user gives it with "Retry now" or the Outbox gives up on it.
        if (data.hintId === 'password-ask') {
          waiting = { filing: await this.keepWaiting(current, { at: this.iso(), outcome: 'not-attempted', error: data }), error: data };
          return undefined;
        }
      }
      if (options.password) this.typed.set(id, options.password);
      const claimed: OutboxEntry = { ...current, state: 'sending', claimedBy: this.claim() };
      await this.writeEntry(claimed);
      return claimed;
    });
    this.changed();
    if (!entry) return waiting as AttemptResult;
    const { password: _typed, duplicateOk: _d, ...submit } = options;
    return this.attempt(entry, submit, ready);
  }

  /** Tries every waiting message whose time has come (or every waiting one with `all`); sandbox ones are left when this process cannot send them. */
  async flush(options: SubmitOptions & { all?: boolean; concurrency?: number } = {}): Promise<{ id: string; result?: AttemptResult; skipped?: string }[]> {
    const { entries } = await this.listOutbox();
    const due = entries.filter((e) => e.state === 'waiting' && (options.all || Date.parse(e.nextAttemptAt ?? e.queuedAt) <= this.now()));
    const results: { id: string; result?: AttemptResult; skipped?: string }[] = new Array(due.length);
    const { all: _all, concurrency: _c, ...submit } = options;
    // A bounded number of sessions at once: a full Outbox must not open one connection per message (servers limit
    // their clients, and a 421 for too many would only put the messages back to wait).
    const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_FLUSH_CONCURRENCY, MAX_FLUSH_CONCURRENCY, due.length));
    let next = 0;
    const work = async (): Promise<void> => {
      for (let i = next++; i < due.length; i = next++) {
        const entry = due[i] as OutboxEntry;
        const cannot = this.deps.cannotSend?.(entry.draft);
        if (cannot) {
          results[i] = { id: entry.id, skipped: cannot };
          continue;
        }
        try {
          results[i] = { id: entry.id, result: await this.retryEntry(entry.id, submit, true) };
        } catch (error) {
          results[i] = { id: entry.id, skipped: toErrorData(error).message }; // claimed meanwhile by another sender
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, work));
    return results;
  }

  /** Moves an Outbox message back to Drafts (the user wants to change it, or its security): it is not sent. */
  async moveToDrafts(id: string): Promise<Filing> {
    const filing = await withFileLock(this.queueLock, async () => {
      const found = this.readEntry(id);
      if (!found) throw inputError('id', 'there is no message with this id in the Outbox.');
      const entry = await this.recoverCrashed(found);
      if (entry.state === 'sending') throw new HoplightError('ECONFIG', 'This message is being sent right now.', { hint: 'Cancel the send, or wait for it to finish.' });
      const reason = entry.state === 'uncertain' ? 'Moved back from the Outbox by you; it may have been delivered already.' : 'Moved back from the Outbox by you; it was not sent.';
      return await this.returnToDrafts(entry, { at: this.iso(), reason });
    });
    this.typed.delete(id);
    this.changed();
    return filing;
  }

  /** Starts the automatic retries (the app calls it once; the CLI retries only when asked). */
  startRetries(): void {
    this.stopped = false;
    void this.reschedule();
  }

  stopRetries(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One attempt for an entry this process has claimed, and its filing. */
  private async attempt(entry: OutboxEntry, options: SubmitOptions, resolved?: Awaited<ReturnType<MailboxDeps['resolve']>>): Promise<AttemptResult> {
    let report: SubmissionReport | undefined;
    let thrown: ErrorData | undefined;
    // The Sent copy is what goes over the wire, streamed into Sent/tmp as it is sent (never whole in memory).
    const copy = this.sent.openCopy(entry.id);
    try {
      const { request, password } = resolved ?? (await this.deps.resolve(entry.draft, this.typed.get(entry.id)));
      report = await submitMessage(request, password, { ehloCache: this.ehloCache, tlsSessions: this.tlsSessions, ...options, copyContent: (chunk) => copy.write(chunk) });
    } catch (error) {
      thrown = toErrorData(error);
      if (thrown.code === 'EINTERNAL') this.deps.logError?.('a send from the Outbox failed', error);
    }
    const at = this.iso();
    const result = await this.file(entry, at, report, thrown, copy).finally(() => copy.discard());
    if (result.filing.folder !== 'outbox') this.typed.delete(entry.id);
    this.changed();
    void this.reschedule();
    return result;
  }

  /** Files the outcome of one attempt: Sent (with the streamed copy), the Outbox again, or back to Drafts. */
  private file(entry: OutboxEntry, at: string, report: SubmissionReport | undefined, thrown: ErrorData | undefined, copy: MessageCopy): Promise<AttemptResult> {
    return withFileLock(this.queueLock, async (): Promise<AttemptResult> => {
      if (!report) {
        // Nothing was sent (a setting, the keychain, bad input): the user has to act, unless it heals by itself.
        const error = thrown as ErrorData;
        if (isTemporary(error)) return { filing: await this.keepWaiting(entry, { at, outcome: 'not-attempted', error }), error };
        return { filing: await this.returnToDrafts(entry, { at, reason: error.message, code: error.code, ...(error.hint ? { hint: error.hint } : {}) }), error };
      }
      const hops = this.deps.hopsFor(report);
      const attempt = { at, outcome: report.outcome, ...(report.error ? { error: report.error } : {}) } as const;
      switch (dispositionOf(report)) {
        case 'sent': {
          const { claimedBy: _c, ...rest } = entry;
          const sent = { id: entry.id, draft: rest.draft, sentAt: at, report, hops };
          if (copy.bytes > 0 && copy.bytes === report.message.sizeBytes) this.sent.commitCopy(sent, copy);
          else this.sent.write(sent, await draftAsMessage(entry.draft, this.deps.fromFor(entry.draft.sender)));
          this.outbox.remove(entry.id);
          return { filing: { folder: 'sent', id: entry.id }, report, hops };
        }
        case 'hold': {
          const { claimedBy: _c, nextAttemptAt: _n, ...rest } = entry;
          await this.writeEntry({ ...rest, state: 'uncertain', attempts: [...entry.attempts, attempt], lastReport: report });
          return { filing: { folder: 'outbox', id: entry.id, state: 'uncertain' }, report, hops };
        }
        case 'retry':
          return { filing: await this.keepWaiting({ ...entry, lastReport: report }, attempt), report, hops };
        case 'return': {
          const error = report.error;
          const reason = report.outcome === 'cancelled' ? 'You cancelled the send before the message was complete; nothing was delivered.' : (error?.message ?? `The message was ${report.outcome}.`);
          return { filing: await this.returnToDrafts(entry, { at, reason, ...(error ? { code: error.code } : {}), ...(error?.hint ? { hint: error.hint } : {}) }), report, hops };
        }
      }
    });
  }

  /** A temporary failure: the entry waits for its next try, or comes back to Drafts once it has waited too long. */
  private async keepWaiting(entry: OutboxEntry, attempt: OutboxEntry['attempts'][number]): Promise<Filing> {
    const attempts = [...entry.attempts, attempt];
    const failures = attempts.length;
    const next = this.now() + nextAttemptAfter(failures, this.deps.retrySchedule ?? RETRY_SCHEDULE_MS);
    if (next > Date.parse(entry.giveUpAt)) {
      const why = attempt.error?.message ?? 'a temporary failure';
      return await this.returnToDrafts(entry, { at: attempt.at, reason: `Not sent after ${failures} tries since ${entry.queuedAt}; the last one: ${why}`, ...(attempt.error ? { code: attempt.error.code } : {}) });
    }
    const { claimedBy: _c, ...rest } = entry;
    const waiting: OutboxEntry = { ...rest, state: 'waiting', attempts, nextAttemptAt: this.iso(next) };
    await this.writeEntry(waiting);
    return { folder: 'outbox', id: entry.id, state: 'waiting', nextAttemptAt: waiting.nextAttemptAt as string };
  }

  /** Back to Drafts with the reason shown on it; Drafts first, then out of the Outbox. */
  private async returnToDrafts(entry: OutboxEntry, returned: NonNullable<Draft['returned']>): Promise<Filing> {
    const reason = visible(returned.reason);
    const { updatedAt: _u, ...draft } = entry.draft;
    await this.drafts.save({ ...draft, returned: { ...returned, reason } }, this.deps.fromFor(entry.draft.sender));
    this.outbox.remove(entry.id);
    return { folder: 'drafts', id: entry.id, reason };
  }

  /** A `sending` entry whose process is gone: Hoplight stopped mid-send, so it may have been delivered. */
  private async recoverCrashed(entry: OutboxEntry): Promise<OutboxEntry> {
    if (entry.state !== 'sending' || !entry.claimedBy || isAlive(entry.claimedBy)) return entry;
    const { claimedBy, nextAttemptAt: _n, ...rest } = entry;
    const recovered: OutboxEntry = {
      ...rest,
      state: 'uncertain',
      attempts: [...entry.attempts, { at: claimedBy.at, outcome: 'uncertain', error: { code: 'ECONNECTION', message: 'Hoplight stopped while this message was being sent, so it may have been delivered.', messageTransmitted: true } }],
    };
    await this.writeEntry(recovered);
    return recovered;
  }

  private async reschedule(): Promise<void> {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let entries: OutboxEntry[];
    try {
      ({ entries } = await this.listOutbox());
    } catch (error) {
      this.deps.logError?.('the Outbox could not be read', error);
      return;
    }
    const times = entries.filter((e) => e.state === 'waiting').map((e) => Date.parse(e.nextAttemptAt ?? e.queuedAt));
    if (!times.length || this.stopped) return;
    const delay = Math.max(0, Math.min(...times) - this.now());
    this.timer = setTimeout(() => void this.retryDue(), Math.min(delay, 2 ** 31 - 1));
    this.timer.unref();
  }

  private async retryDue(): Promise<void> {
    if (this.retrying || this.stopped) return;
    this.retrying = true;
    try {
      await this.flush(this.deps.backgroundOptions ?? {});
    } catch (error) {
      this.deps.logError?.('automatic retry failed', error);
    } finally {
      this.retrying = false;
      void this.reschedule();
    }
  }

  private readEntry(id: string): OutboxEntry | undefined {
    return this.outbox.read(id, (value) => storedOutboxSchema.parse(value).entry as unknown as OutboxEntry);
  }

  private async writeEntry(entry: OutboxEntry): Promise<void> {
    const stored = storedOutboxSchema.parse({ format: OUTBOX_FORMAT_VERSION, entry });
    this.outbox.write(entry.id, await draftAsMessage(entry.draft, this.deps.fromFor(entry.draft.sender)), stored);
  }

  private claim(): NonNullable<OutboxEntry['claimedBy']> {
    return { pid: process.pid, host: hostname(), at: this.iso() };
  }

  private iso(ms: number = this.now()): string {
    return new Date(ms).toISOString();
  }

  private changed(): void {
    try {
      this.deps.onChange?.();
    } catch (error) {
      this.deps.logError?.('a mailbox listener threw', error);
    }
  }
}

/** Sessions a flush opens at once by default, and at most. */
export const DEFAULT_FLUSH_CONCURRENCY = 2;
export const MAX_FLUSH_CONCURRENCY = 8;

/** Whether the process that claimed an entry still runs (on another host it is assumed to). */
function isAlive(claimedBy: NonNullable<OutboxEntry['claimedBy']>): boolean {
  if (claimedBy.host !== hostname()) return true;
  if (claimedBy.pid === process.pid) return true;
  try {
    process.kill(claimedBy.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
