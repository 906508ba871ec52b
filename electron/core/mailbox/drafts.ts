import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Draft, MailboxProblem } from '../../../shared/types/draft.js';
import { inputError } from '../errors.js';
import { DRAFT_FORMAT_VERSION, storedDraftSchema } from './draft-schema.js';
import { MaildirFolder } from './maildir.js';

/**
 * The Drafts folder: one RFC 5322 file per draft in a Maildir (readable by any mail tool) and a JSON sidecar with
 * what the composer needs back exactly (recipients as typed, the sender, the security choice, attachment paths).
 */
export class Drafts {
  private readonly folder: MaildirFolder;

  constructor(dataDir: string) {
    this.folder = new MaildirFolder(join(dataDir, 'mailbox', 'Drafts'));
  }

  /** Where the drafts live. */
  get dir(): string {
    return this.folder.dir;
  }

  /** Saves a draft (replacing its earlier version atomically); `from` is the sender's address for the .eml. */
  async save(input: Omit<Draft, 'updatedAt'>, from: string): Promise<Draft> {
    const draft: Draft = { ...input, updatedAt: new Date().toISOString() };
    const stored = storedDraftSchema.safeParse({ format: DRAFT_FORMAT_VERSION, draft });
    if (!stored.success) throw inputError(`draft.${stored.error.issues[0]?.path.slice(1).join('.') ?? ''}`, stored.error.issues[0]?.message ?? 'invalid');
    this.folder.write(draft.id, await draftAsMessage(draft, from), stored.data);
    return draft;
  }

  /** Every draft, most recently saved first, with any damaged file that was moved aside. */
  list(): { drafts: Draft[]; problems: MailboxProblem[] } {
    const { items, problems } = this.folder.readAll((value) => storedDraftSchema.parse(value).draft as Draft);
    return { drafts: items.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)), problems };
  }

  /** One draft, or undefined when there is none under that id. */
  get(id: string): Draft | undefined {
    return this.folder.read(id, (value) => storedDraftSchema.parse(value).draft as Draft);
  }

  /** Removes a draft (after it was sent, or when the user discards it). */
  remove(id: string): void {
    this.folder.remove(id);
  }
}

/** The draft as an RFC 5322 message, built by MailComposer; addresses as typed (a draft may hold a mistake). */
export async function draftAsMessage(draft: Draft, from: string): Promise<Buffer> {
  const list = (values: readonly string[]): string | undefined => (values.length ? values.join(', ') : undefined);
  const to = list(draft.to);
  const cc = list(draft.cc);
  const bcc = list(draft.bcc);
  const composer = new MailComposer({
    from,
    ...(to ? { to } : {}),
    ...(cc ? { cc } : {}),
    ...(bcc ? { bcc } : {}),
    subject: draft.subject,
    text: draft.text,
    headers: { 'X-Hoplight-Draft': draft.id, 'X-Hoplight-Security-Choice': draft.securityChoice },
    date: new Date(draft.updatedAt),
    disableUrlAccess: true,
    disableFileAccess: true,
  });
  const node = composer.compile();
  (node as unknown as { keepBcc: boolean }).keepBcc = true; // a draft keeps its Bcc recipients
  return node.build();
}
