import type { OutboxSendResult } from '../../../shared/ipc/channels/mailbox.js';
import { MAILBOX_CHANNELS } from '../../../shared/ipc/channels/mailbox.js';
import type { Draft } from '../../../shared/types/draft.js';
import { analyzeDelivered } from '../../core/analyze/delivered-path.js';
import { HoplightError, inputError } from '../../core/errors.js';
import { readLocalFile } from '../../core/files/local-file.js';
import type { AttemptResult } from '../../core/mailbox/mailbox.js';
import { renderSubmissionReport } from '../../core/report/render-submission.js';
import type { SubmitOptions } from '../../core/submit-message.js';
import { asOperation, type HandlerContext, type Implementations } from './context.js';

/** A delivered copy may carry large attachments; only its header block is read. */
const MAX_DELIVERED_BYTES = 64 * 1024 * 1024;

/** The Outbox and Sent: every send from the composer goes through the Outbox, so no failure loses a message. */
export function mailboxHandlers(ctx: HandlerContext): Implementations<typeof MAILBOX_CHANNELS> {
  const { mailbox } = ctx;
  const run = (operationId: string | undefined, attempt: (options: SubmitOptions) => Promise<AttemptResult>): Promise<OutboxSendResult> =>
    asOperation(ctx, operationId, async (options) => {
      const done = await attempt(options);
      return {
        filing: done.filing,
        ...(done.report && done.hops ? { result: { report: done.report, hops: done.hops, text: renderSubmissionReport(done.report) } } : {}),
        ...(done.error ? { error: done.error } : {}),
      };
    });
  return {
    'outbox:send': ({ draft, operationId, password }) => run(operationId, (options) => mailbox.send(draft as Omit<Draft, 'updatedAt'>, { ...options, ...(password ? { password } : {}) })),
    'outbox:list': () => mailbox.listOutbox(),
    'outbox:retry': ({ id, duplicateOk, operationId, password }) => run(operationId, (options) => mailbox.retry(id, { ...options, ...(duplicateOk ? { duplicateOk } : {}), ...(password ? { password } : {}) })),
    'outbox:to-drafts': ({ id }) => mailbox.moveToDrafts(id),
    'sent:list': (query) => mailbox.sent.search(query),
    'sent:analyze': async ({ path }) => {
      const file = path ?? (ctx.deps.pickMessage ? await ctx.deps.pickMessage() : undefined);
      if (file === undefined) {
        if (path === undefined && !ctx.deps.pickMessage) throw new HoplightError('ECONFIG', 'There is no file picker here; drop the .eml on the Sent view instead.');
        return {};
      }
      const delivered = analyzeDelivered(await readLocalFile('file', file, MAX_DELIVERED_BYTES));
      const sentId = delivered.messageId ? mailbox.sent.search({}).messages.find((m) => m.messageId === delivered.messageId)?.id : undefined;
      return { file, path: delivered, ...(sentId ? { sentId } : {}) };
    },
    'sent:open': ({ id }) => {
      const message = mailbox.sent.get(id);
      if (!message) throw inputError('id', 'there is no message with this id in Sent.');
      return { message, text: renderSubmissionReport(message.report) };
    },
  };
}
