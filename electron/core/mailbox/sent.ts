import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { MailboxProblem } from '../../../shared/types/draft.js';
import type { SentMessage, SentSummary } from '../../../shared/types/mailbox.js';
import { SENT_FORMAT_VERSION, storedSentSchema } from './draft-schema.js';
import { MaildirFolder, type MessageCopy } from './maildir.js';

/** What the Sent list can be searched by: free text over recipients and subject, and a date range (inclusive). */
export interface SentQuery {
  /** Matches a recipient or the subject (case-insensitive), or the sent date written as YYYY-MM-DD. */
  readonly text?: string;
  /** ISO dates (YYYY-MM-DD) or times. */
  readonly since?: string;
  readonly until?: string;
}

/** The Sent folder: the message exactly as it was submitted (RFC 5322) and a sidecar with the whole report. */
export class SentFolder {
  private readonly folder: MaildirFolder;
  /** Summaries by id with the sidecar's mtime, so a search does not re-read every report. */
  private readonly summaries = new Map<string, { mtimeMs: number; summary: SentSummary }>();

  constructor(dataDir: string) {
    this.folder = new MaildirFolder(join(dataDir, 'mailbox', 'Sent'));
  }

  get dir(): string {
    return this.folder.dir;
  }

  /** Files a sent message: `raw` is what went over the wire. */
  write(sent: SentMessage, raw: Buffer): void {
    this.folder.write(sent.id, raw, storedSentSchema.parse({ format: SENT_FORMAT_VERSION, sent }));
  }

  /** A copy of a message being sent, written as it streams; `commitCopy` files it with its report. */
  openCopy(id: string): MessageCopy {
    return this.folder.openCopy(id);
  }

  /** Files a sent message whose wire copy was streamed into `copy`. */
  commitCopy(sent: SentMessage, copy: MessageCopy): void {
    copy.commit(storedSentSchema.parse({ format: SENT_FORMAT_VERSION, sent }));
  }

  /** One message with its report; undefined when there is none. */
  get(id: string): SentMessage | undefined {
    return this.folder.read(id, (value) => storedSentSchema.parse(value).sent as unknown as SentMessage);
  }

  /** The RFC 5322 file of a sent message. */
  messagePath(id: string): string {
    return this.folder.messagePath(id);
  }

  /** The Sent list, newest first, filtered by the query; damaged files are moved aside and reported. */
  search(query: SentQuery = {}): { messages: SentSummary[]; problems: MailboxProblem[] } {
    const { items, problems } = this.folder.readSummaries((id, load) => {
      const mtimeMs = statSync(join(this.folder.dir, 'meta', `${id}.json`)).mtimeMs;
      const cached = this.summaries.get(id);
      if (cached?.mtimeMs === mtimeMs) return cached.summary;
      const summary = summarise(storedSentSchema.parse(load()).sent as unknown as SentMessage);
      this.summaries.set(id, { mtimeMs, summary });
      return summary;
    });
    const text = query.text?.trim().toLowerCase();
    const since = query.since ? startOf(query.since) : undefined;
    const until = query.until ? endOf(query.until) : undefined;
    const messages = items
      .filter((m) => (since === undefined || m.sentAt >= since) && (until === undefined || m.sentAt <= until))
      .filter((m) => !text || m.subject.toLowerCase().includes(text) || m.recipients.some((r) => r.toLowerCase().includes(text)) || m.sentAt.slice(0, 10) === text)
      .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
    return { messages, problems };
  }
}

function summarise(sent: SentMessage): SentSummary {
  return {
    id: sent.id,
    sentAt: sent.sentAt,
    subject: sent.draft.subject,
    recipients: [...sent.draft.to, ...sent.draft.cc, ...sent.draft.bcc],
    securityChoice: sent.draft.securityChoice,
    headline: sent.hops.headline,
    tone: sent.hops.tone,
    requireTlsAccepted: sent.report.submissionHop.requireTls.accepted,
    messageId: sent.report.message.messageId ?? '',
  };
}

/** A date alone covers its whole day (UTC, as the files are stamped). */
const startOf = (value: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : new Date(value).toISOString());
const endOf = (value: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : new Date(value).toISOString());
