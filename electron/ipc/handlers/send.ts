import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { SEND_CHANNELS, type AttachmentInfo, type SendResult } from '../../../shared/ipc/channels/send.js';
import type { SubmissionReport } from '../../../shared/types/report.js';
import { HoplightError, inputError } from '../../core/errors.js';
import { buildHopModel } from '../../core/report/hop-model.js';
import { renderSubmissionReport } from '../../core/report/render-submission.js';
import { resolveSubmission } from '../../core/submission/resolve-submission.js';
import { submitMessage, type SubmitOptions } from '../../core/submit-message.js';
import { knownForecasts } from '../../core/posture/forecast-cache.js';
import { asOperation, type HandlerContext, type Implementations } from './context.js';

/** Sending: each send is an operation (progress events, cancellable), answered with its hop model and text. */
export function sendHandlers(ctx: HandlerContext): Implementations<typeof SEND_CHANNELS> {
  const { deps, forecasts, operations } = ctx;
  const runSend = (operationId: string | undefined, run: (options: SubmitOptions) => Promise<SubmissionReport>): Promise<SendResult> =>
    asOperation(ctx, operationId, async (options) => {
      const report = await run(options);
      return { report, hops: buildHopModel(report, knownForecasts(forecasts, report.message.recipients)), text: renderSubmissionReport(report) };
    });
  return {
    'send:message': async ({ password, useSandboxPassword, accountId, server, message, security, operationId }) => {
      if (accountId !== undefined) {
        // The password is read here, in main, at send time; it never crosses to the renderer.
        const account = deps.accounts.store.find(accountId);
        const request = resolveSubmission({ account, ...(server ? { server } : {}), message, securityChoice: security });
        const secret = await deps.accounts.passwordForSend(account, password);
        return runSend(operationId, (options) => submitMessage(request, secret, options));
      }
      if (!server) throw inputError('server', 'give the server settings or an account.');
      const request = resolveSubmission({ server, message, securityChoice: security });
      const secret = useSandboxPassword ? ctx.sandbox.password() : password;
      return runSend(operationId, (options) => submitMessage(request, secret, options));
    },
    'send:cancel': ({ operationId }) => ({ cancelled: operations.cancel(operationId) }),
    'attachments:pick': async () => {
      if (!deps.pickFiles) throw new HoplightError('ECONFIG', 'There is no file picker here.');
      return describeFiles(await deps.pickFiles());
    },
    'attachments:describe': ({ paths }) => describeFiles(paths),
  };
}

/** Name and size of each file, or why it cannot be attached (a regular, readable file is needed). */
async function describeFiles(paths: readonly string[]): Promise<AttachmentInfo[]> {
  return Promise.all(
    paths.map(async (path): Promise<AttachmentInfo> => {
      const name = basename(path);
      try {
        const info = await stat(path);
        if (!info.isFile()) return { path, name, problem: 'is not a regular file' };
        await access(path, constants.R_OK);
        return { path, name, size: info.size };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return { path, name, problem: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})` };
      }
    }),
  );
}
