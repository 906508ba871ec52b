import type { AttachmentInfo } from '../../../shared/ipc/contract';
import type { SecurityChoice } from '../../../shared/types/security';
import type { Draft as StoredDraft } from '../../../shared/types/draft';
import { newOperationId } from '../ui/operation-id';
import { parseTyped, type TypedAddress } from './address-parse';

/** The sandbox appears in the From picker like an account; its password stays in main. */
export const SANDBOX_SENDER = 'sandbox';

/** What the composer holds: serialisable, no password, no server fields (those belong to the account). */
export interface Draft {
  /** Names the draft in the Drafts folder; a new one after each accepted send. */
  readonly id: string;
  readonly sender: string;
  readonly to: readonly TypedAddress[];
  readonly cc: readonly TypedAddress[];
  readonly bcc: readonly TypedAddress[];
  readonly subject: string;
  readonly text: string;
  readonly attachments: readonly AttachmentInfo[];
  readonly choice: SecurityChoice;
  /** Why it came back from the Outbox (shown on the draft until it is sent again). */
  readonly returned?: StoredDraft['returned'];
}

/** An empty draft for a sender. */
export const emptyDraft = (sender: string, choice: SecurityChoice): Draft => ({ id: newOperationId(), sender, to: [], cc: [], bcc: [], subject: '', text: '', attachments: [], choice });

/** The draft as the Drafts folder keeps it: recipients as typed. */
export function toStored(draft: Draft): Omit<StoredDraft, 'updatedAt'> {
  return {
    id: draft.id,
    sender: draft.sender,
    securityChoice: draft.choice,
    to: draft.to.map((a) => a.text),
    cc: draft.cc.map((a) => a.text),
    bcc: draft.bcc.map((a) => a.text),
    subject: draft.subject,
    text: draft.text,
    attachments: draft.attachments.map((a) => ({ path: a.path, name: a.name, ...(a.size !== undefined ? { size: a.size } : {}) })),
    ...(draft.returned ? { returned: draft.returned } : {}),
  };
}

/** A stored draft back in the composer, its recipients parsed into chips again. */
export function fromStored(stored: StoredDraft): Draft {
  return {
    id: stored.id,
    sender: stored.sender,
    to: stored.to.map(parseTyped),
    cc: stored.cc.map(parseTyped),
    bcc: stored.bcc.map(parseTyped),
    subject: stored.subject,
    text: stored.text,
    attachments: stored.attachments,
    choice: stored.securityChoice,
    ...(stored.returned ? { returned: stored.returned } : {}),
  };
}

/** A copy of a sent (or any stored) message as a new draft: same sender, recipients, text and security choice. */
export function copyAsNew(stored: StoredDraft): Draft {
  const { returned: _returned, ...draft } = fromStored(stored);
  return { ...draft, id: newOperationId() };
}

/** Recipient domains of a draft, for the forecast chips. */
export const draftDomains = (draft: Draft): string[] => [...new Set([...draft.to, ...draft.cc, ...draft.bcc].flatMap((a) => (a.domain ? [a.domain] : [])))];
