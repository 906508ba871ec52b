import type { OutboxSendResult } from '../../../shared/ipc/channels/mailbox.js';
import { MAILBOX_CHANNELS } from '../../../shared/ipc/channels/mailbox.js';
import type { Draft } from '../../../shared/types/draft.js';
import { analyzeDeliveredCopy, fromAddressOf, messageIdOf, type ProviderHint } from '../../core/analyze/delivered-path.js';
import { SANDBOX_HOST_NAME } from '../../core/sandbox/local-submission-server.js';
import type { Resolver } from '../../core/dns/dns-client.js';
import { HoplightError, inputError } from '../../core/errors.js';
import { readLocalFile } from '../../core/files/local-file.js';
import type { AttemptResult } from '../../core/mailbox/mailbox.js';
import { renderSubmissionReport } from '../../core/report/render-submission.js';
import type { SubmitOptions } from '../../core/submit-message.js';
import { asOperation, lookupResolver, type HandlerContext, type Implementations } from './context.js';

/** A delivered copy may carry large attachments; only its header block is read. */
const MAX_DELIVERED_BYTES = 64 * 1024 * 1024;

/**
 * Whose provider the copy went through: the account of the Sent message it matches (its submission server as the
 * report recorded it), else the account that sends as its From address. Unknown otherwise.
 */
async function providerOf(ctx: HandlerContext, sentId: string | undefined, from: string | undefined): Promise<ProviderHint | undefined> {
  const sent = sentId ? ctx.mailbox.sent.get(sentId) : undefined;
  if (sent?.draft.sender === 'sandbox') return { account: 'Sandbox', host: SANDBOX_HOST_NAME };
  const accounts = await ctx.deps.accounts.list().catch(() => []);
  const account = accounts.find((a) => a.id === sent?.draft.sender) ?? (from ? accounts.find((a) => a.fromAddress.toLowerCase() === from) : undefined);
  if (!account) return undefined;
  // The name the server greeted with (RFC 5321 §4.2: "220 domain …") is the one it writes in its Received fields.
  const greeted = sent?.report.submissionHop.greeting?.lines[0]?.split(/\s+/)[0];
  const serverNames = greeted && /^[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$/.test(greeted) ? [greeted] : [];
  return { account: account.name, host: sent?.report.submissionHop.host ?? account.host, serverNames };
}

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
      const raw = await readLocalFile('file', file, MAX_DELIVERED_BYTES);
      const messageId = messageIdOf(raw);
      const sentId = messageId ? mailbox.sent.search({}).messages.find((m) => m.messageId === messageId)?.id : undefined;
      const provider = await providerOf(ctx, sentId, fromAddressOf(raw));
      // DKIM and ARC keys are looked up where the forecasts look (the system's resolver in the app).
      let resolver: Resolver | null = null;
      let resolverProblem: string | undefined;
      try {
        resolver = lookupResolver(ctx.deps);
      } catch (error) {
        resolverProblem = `DKIM and ARC could not be verified: ${(error as Error).message}`;
      }
      const analyzed = await analyzeDeliveredCopy(raw, { resolver, ...(provider ? { provider } : {}) });
      const delivered = resolverProblem ? { ...analyzed, verifyProblem: resolverProblem } : analyzed;
      return { file, path: delivered, ...(sentId ? { sentId } : {}) };
    },
    'sent:open': ({ id }) => {
      const message = mailbox.sent.get(id);
      if (!message) throw inputError('id', 'there is no message with this id in Sent.');
      return { message, text: renderSubmissionReport(message.report) };
    },
  };
}
