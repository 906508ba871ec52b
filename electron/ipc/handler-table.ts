import type { z } from 'zod';
import { CHANNELS, INVOKE_CHANNELS, type InvokeChannel, type InvokeContract } from '../../shared/ipc/contract.js';
import type { Result } from '../../shared/types/errors.js';
import { HoplightError, toErrorData } from '../core/errors.js';
import { checkDomain } from '../core/posture/domain-check.js';
import { FileMtaStsCache } from '../core/posture/mta-sts-cache.js';
import { DEFAULT_FORECAST_TTL_MS, ForecastCache, knownForecasts } from '../core/posture/forecast-cache.js';
import { join } from 'node:path';
import { SandboxService } from '../core/sandbox/sandbox-service.js';
import { fromForSender, requestForDraft } from '../core/mailbox/draft-request.js';
import { Mailbox } from '../core/mailbox/mailbox.js';
import { buildHopModel } from '../core/report/hop-model.js';
import { accountHandlers } from './handlers/accounts.js';
import { draftHandlers } from './handlers/drafts.js';
import { mailboxHandlers } from './handlers/mailbox.js';
import { lookupResolver, type HandlerContext, type HandlerDeps } from './handlers/context.js';
import { postureHandlers } from './handlers/posture.js';
import { sandboxHandlers } from './handlers/sandbox.js';
import { sendHandlers } from './handlers/send.js';
import { Operations } from './operations.js';

export type { HandlerDeps } from './handlers/context.js';

/** One handler per invoke channel: takes the untrusted payload, returns a Result. Never throws. */
export type HandlerTable = { readonly [C in InvokeChannel]: (payload: unknown) => Promise<Result<InvokeContract[C]['response']>> };

/** A handler table and the resources it holds. */
export interface Handlers {
  readonly table: HandlerTable;
  dispose(): Promise<void>;
}

/**
 * The handler table the app registers with ipcMain and the e2e test bridge calls directly: the same code on both
 * paths. It only assembles the feature handlers (`handlers/*.ts`) and validates every payload with the schema the
 * contract pairs with its channel, so a handler can never be given another schema's input.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  const sandbox = new SandboxService({
    dataDir: deps.dataDir,
    onStored: (message, files) =>
      deps.emit('sandbox:message-received', {
        id: message.id,
        mailFrom: message.envelope.mailFrom,
        rcptTo: message.envelope.rcptTo,
        requireTls: message.envelope.requireTls,
        ...(message.session.tlsProtocol ? { tlsProtocol: message.session.tlsProtocol } : {}),
        emlPath: files.eml,
      }),
  });
  // One MTA-STS policy cache for the composer's forecasts, the check screen and the CLI (the data folder's).
  const mtaStsCache = new FileMtaStsCache(join(deps.dataDir, 'mta-sts-cache.json'));
  const forecasts = new ForecastCache(
    (domain) =>
    checkDomain({
      domain,
      mtaStsCache,
      resolver: lookupResolver(deps),
      ...(deps.forecast?.extraCaPem ? { extraCaPem: deps.forecast.extraCaPem } : {}),
      ...(deps.forecast?.smtpPort ? { smtpPort: deps.forecast.smtpPort } : {}),
      ...(deps.forecast?.httpsPort ? { httpsPort: deps.forecast.httpsPort } : {}),
    }),
    DEFAULT_FORECAST_TTL_MS,
    Date.now,
    join(deps.dataDir, 'forecasts'),
  );
  const senders = { accounts: deps.accounts, sandbox };
  const mailbox = new Mailbox({
    dataDir: deps.dataDir,
    resolve: (draft, typed) => requestForDraft(draft, senders, typed),
    fromFor: (sender) => fromForSender(sender, senders),
    hopsFor: (report) => buildHopModel(report, knownForecasts(forecasts, report.message.recipients)),
    onChange: () => deps.emit('mailbox:changed', {}),
    ...(deps.mailbox?.retrySchedule ? { retrySchedule: deps.mailbox.retrySchedule } : {}),
    ...(deps.logError ? { logError: deps.logError, backgroundOptions: { logError: deps.logError } } : {}),
  });
  if (deps.mailbox?.autoRetry !== false) mailbox.startRetries();
  const ctx: HandlerContext = { deps, sandbox, forecasts, operations: new Operations(), mailbox };
  const implementations = { ...sendHandlers(ctx), ...draftHandlers(ctx), ...mailboxHandlers(ctx), ...sandboxHandlers(ctx), ...postureHandlers(ctx), ...accountHandlers(ctx) };

  const guard = <C extends InvokeChannel>(channel: C) => {
    const schema = CHANNELS[channel].request as z.ZodType;
    const run = implementations[channel] as (input: unknown) => Promise<InvokeContract[C]['response']> | InvokeContract[C]['response'];
    return async (payload: unknown): Promise<Result<InvokeContract[C]['response']>> => {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || 'request';
        return { ok: false, error: toErrorData(new HoplightError('EINPUT', `${field}: ${issue?.message ?? 'invalid request'}`, { field })) };
      }
      try {
        return { ok: true, value: await run(parsed.data) };
      } catch (error) {
        const data = toErrorData(error);
        if (data.code === 'EINTERNAL') deps.logError?.('IPC handler failed', error);
        return { ok: false, error: data };
      }
    };
  };
  const table = Object.fromEntries(INVOKE_CHANNELS.map((channel) => [channel, guard(channel)])) as unknown as HandlerTable;
  return {
    table,
    dispose: async () => {
      mailbox.stopRetries();
      await sandbox.stop();
    },
  };
}

