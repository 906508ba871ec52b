import type { HopModel } from '../../types/hop-model.js';
import type { SendStep, SubmissionReport } from '../../types/report.js';
import { channel, event } from '../channel.js';
import { attachmentsDescribeSchema, emptySchema, sendCancelSchema, sendMessageSchema } from '../schemas.js';

/** What a send returns: the report, its per-hop model (computed in main) and the same text `hoplight send` prints. */
export interface SendResult {
  readonly report: SubmissionReport;
  readonly hops: HopModel;
  readonly text: string;
}

/** A file chosen as an attachment: where it is, its name and size, or why it cannot be attached. */
export interface AttachmentInfo {
  readonly path: string;
  readonly name: string;
  readonly size?: number;
  readonly problem?: string;
}

/** Sending, and the attachments a message takes. */
export const SEND_CHANNELS = {
  /** Submit one message; `ok: true` means an attempt was made, whose report says whether it was accepted. */
  'send:message': channel<SendResult>()(sendMessageSchema),
  /** Cancel a send by its operation id; `cancelled: false` when none is running under that id. */
  'send:cancel': channel<{ cancelled: boolean }>()(sendCancelSchema),
  /** Opens the system's file picker in main; the renderer never reads files, it only holds their paths. */
  'attachments:pick': channel<AttachmentInfo[]>()(emptySchema),
  /** Names, sizes and problems of files dropped on the composer, by path. */
  'attachments:describe': channel<AttachmentInfo[]>()(attachmentsDescribeSchema),
} as const;

/** Events of sending. */
export const SEND_EVENTS = {
  /** A send entered a step: connecting, TLS, authenticating, sending, awaiting the verdict, finished. */
  'send:progress': event<{ readonly operationId: string; readonly step: SendStep }>(),
} as const;
