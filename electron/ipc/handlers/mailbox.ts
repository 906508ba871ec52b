import type { OutboxSendResult } from '../../../shared/ipc/channels/mailbox.js';
import { MAILBOX_CHANNELS } from '../../../shared/ipc/channels/mailbox.js';
import type { Draft } from '../../../shared/types/draft.js';
import { inputError } from '../../core/errors.js';
import type { AttemptResult } from '../../core/mailbox/mailbox.js';
import { renderSubmissionReport } from '../../core/report/render-submission.js';
import type { SubmitOptions } from '../../core/submit-message.js';
import { asOperation, type HandlerContext, type Implementations } from './context.js';

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
    'sent:open': ({ id }) => {
      const message = mailbox.sent.get(id);
      if (!message) throw inputError('id', 'there is no message with this id in Sent.');
      return { message, text: renderSubmissionReport(message.report) };
    },
  };
}
