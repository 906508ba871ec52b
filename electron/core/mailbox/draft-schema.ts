import { z } from 'zod';
import { SECURITY_CHOICES } from '../../../shared/types/security.js';

/** The format of a draft's sidecar on disk, versioned apart from the IPC input schemas. */
export const DRAFT_FORMAT_VERSION = 1;

const text = (max: number) => z.string().max(max);
const iso = z.string().datetime();

/** A draft as every mailbox sidecar holds it (Drafts, and the copy kept in Outbox and Sent). */
export const draftRecordSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
    sender: text(100),
    securityChoice: z.enum(SECURITY_CHOICES as unknown as [string, ...string[]]),
    to: z.array(text(1000)).max(1000),
    cc: z.array(text(1000)).max(1000),
    bcc: z.array(text(1000)).max(1000),
    subject: text(10_000),
    text: text(50_000_000),
    attachments: z.array(z.object({ path: text(4096), name: text(1000), size: z.number().int().nonnegative().optional() }).strict()).max(500),
    updatedAt: iso,
    /** Added in format 1 without a version change: optional, older files simply lack it. */
    returned: z.object({ at: iso, reason: text(10_000), code: text(32).optional(), hint: text(10_000).optional() }).strict().optional(),
  })
  .strict();

/** A stored draft (sidecar `meta/<id>.json`, format 1). */
export const storedDraftSchema = z.object({ format: z.literal(DRAFT_FORMAT_VERSION), draft: draftRecordSchema }).strict();

/** Format of the Outbox's and Sent's sidecars. */
export const OUTBOX_FORMAT_VERSION = 1;
export const SENT_FORMAT_VERSION = 1;

/** Plain JSON objects written by Hoplight itself (a report, an error): checked for shape where it matters. */
const record = z.record(z.string(), z.unknown());
const errorData = z.object({ code: text(32), message: text(100_000), messageTransmitted: z.boolean() }).passthrough();
const report = z.object({ reportVersion: z.literal(2), outcome: text(32), securityChoice: text(32) }).passthrough();

/** An Outbox entry (`Outbox/meta/<id>.json`). */
export const storedOutboxSchema = z
  .object({
    format: z.literal(OUTBOX_FORMAT_VERSION),
    entry: z
      .object({
        id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
        draft: draftRecordSchema,
        state: z.enum(['waiting', 'sending', 'uncertain']),
        queuedAt: iso,
        nextAttemptAt: iso.optional(),
        giveUpAt: iso,
        attempts: z.array(z.object({ at: iso, outcome: text(32), error: errorData.optional() }).strict()).max(10_000),
        lastReport: report.optional(),
        claimedBy: z.object({ pid: z.number().int(), host: text(255), at: iso }).strict().optional(),
      })
      .strict(),
  })
  .strict();

/** A Sent message (`Sent/meta/<id>.json`). */
export const storedSentSchema = z
  .object({
    format: z.literal(SENT_FORMAT_VERSION),
    sent: z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/), draft: draftRecordSchema, sentAt: iso, report, hops: record }).strict(),
  })
  .strict();
