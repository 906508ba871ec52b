import { z } from 'zod';
import { SECURITY_CHOICES } from '../../../shared/types/security.js';

/** The format of a draft's sidecar on disk, versioned apart from the IPC input schemas. */
export const DRAFT_FORMAT_VERSION = 1;

const text = (max: number) => z.string().max(max);

/** A stored draft (sidecar `meta/<id>.json`, format 1). */
export const storedDraftSchema = z
  .object({
    format: z.literal(DRAFT_FORMAT_VERSION),
    draft: z
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
        updatedAt: z.string().datetime(),
      })
      .strict(),
  })
  .strict();
