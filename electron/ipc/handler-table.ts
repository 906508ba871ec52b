import type { z } from 'zod';
import type { EventChannel, EventContract, InvokeChannel, InvokeContract } from '../../shared/ipc/contract.js';
import {
  accountAddSchema,
  accountDiscoverSchema,
  accountPasswordSchema,
  accountRefSchema,
  accountTestSchema,
  accountUpdateSchema,
  checkDomainSchema,
  forecastSchema,
  sendCancelSchema,
  attachmentsDescribeSchema,
  checkServerSchema,
  emptySchema,
  sandboxStartSchema,
  sendMessageSchema,
} from '../../shared/ipc/schemas.js';
import type { Account } from '../../shared/types/account.js';
import { fromOf, serverOf } from '../core/accounts/account-fields.js';
import type { AccountsService } from '../core/accounts/accounts-service.js';
import { discoverSubmission } from '../core/accounts/discover.js';
import { testAccount } from '../core/accounts/test-account.js';
import type { Result } from '../../shared/types/errors.js';
import type { SandboxStatus } from '../../shared/types/sandbox.js';
import { MAX_CA_FILE_BYTES, readLocalFile } from '../core/files/local-file.js';
import { createResolver, parseResolverAddress, systemResolverAddress } from '../core/dns/dns-client.js';
import { HoplightError, inputError, toErrorData } from '../core/errors.js';
import { checkDomain } from '../core/posture/domain-check.js';
import { checkServer } from '../core/posture/server-check.js';
import { startSandbox, type RunningSandbox } from '../core/sandbox/sandbox.js';
import { submitMessage, type SubmitOptions } from '../core/submit-message.js';
import { ForecastCache } from '../core/posture/forecast-cache.js';
import { buildHopModel } from '../core/report/hop-model.js';
import { renderSubmissionReport } from '../core/report/render-submission.js';
import type { AttachmentInfo, SendResult } from '../../shared/ipc/contract.js';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SendStep, SubmissionReport } from '../../shared/types/report.js';

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

async function extraCa(caFile: string | undefined): Promise<{ extraCaPem?: string }> {
  if (caFile === undefined) return {};
  return { extraCaPem: (await readLocalFile('caFile', caFile, MAX_CA_FILE_BYTES)).toString('utf8') };
}

/** One handler per invoke channel: takes the untrusted payload, returns a Result. Never throws. */
export type HandlerTable = { readonly [C in InvokeChannel]: (payload: unknown) => Promise<Result<InvokeContract[C]['response']>> };

/** What the handlers need from their surroundings (Electron in the app, plain Node in tests). */
export interface HandlerDeps {
  readonly dataDir: string;
  /** Accounts and the keychain (electron-store + @napi-rs/keyring in the app; a temp file + memory in tests). */
  readonly accounts: AccountsService;
  readonly emit: <E extends EventChannel>(channel: E, payload: EventContract[E]) => void;
  /** Where unexpected errors are logged (main's console in the app). */
  readonly logError?: (message: string, error: unknown) => void;
  /** The system's file picker (Electron's dialog in the app); absent where there is none. */
  readonly pickFiles?: () => Promise<string[]>;
  /** How the composer's forecasts are checked (tests point them at a local DNSSEC world). */
  readonly forecast?: { readonly resolver?: string; readonly extraCaPem?: string; readonly smtpPort?: number; readonly httpsPort?: number };
}

/** A handler table and the resources it holds. */
export interface Handlers {
  readonly table: HandlerTable;
  dispose(): Promise<void>;
}

/**
 * The handler table the app registers with ipcMain and the e2e test bridge calls directly: the same code on both
 * paths. Every payload is validated with the contract's schema before use.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  let sandbox: RunningSandbox | undefined;
  /** Sends in flight, by the operation id the renderer gave: what `send:cancel` aborts. */
  const operations = new Map<string, AbortController>();
  const forecasts = new ForecastCache((domain) =>
    checkDomain({
      domain,
      resolver: createResolver(deps.forecast?.resolver ? parseResolverAddress(deps.forecast.resolver) : systemResolverAddress()),
      ...(deps.forecast?.extraCaPem ? { extraCaPem: deps.forecast.extraCaPem } : {}),
      ...(deps.forecast?.smtpPort ? { smtpPort: deps.forecast.smtpPort } : {}),
      ...(deps.forecast?.httpsPort ? { httpsPort: deps.forecast.httpsPort } : {}),
    }),
  );

  /** Runs one send as an operation: progress events, cancellable, and the result with its hop model and text. */
  const runSend = async (operationId: string | undefined, run: (options: SubmitOptions) => Promise<SubmissionReport>): Promise<SendResult> => {
    const controller = new AbortController();
    if (operationId !== undefined) {
      if (operations.has(operationId)) throw inputError('operationId', 'a send with this id is already running.');
      operations.set(operationId, controller);
    }
    try {
      const report = await run({
        signal: controller.signal,
        ...(operationId !== undefined ? { onProgress: (step: SendStep) => deps.emit('send:progress', { operationId, step }) } : {}),
      });
      const domains = report.message.recipients.map((r) => r.slice(r.lastIndexOf('@') + 1).toLowerCase());
      const known = Object.fromEntries(domains.flatMap((d) => {
        const check = forecasts.peek(d);
        return check ? [[d, check] as const] : [];
      }));
      return { report, hops: buildHopModel(report, known), text: renderSubmissionReport(report) };
    } finally {
      if (operationId !== undefined) operations.delete(operationId);
    }
  };

  const status = (): SandboxStatus =>
    sandbox
      ? {
          running: true,
          host: sandbox.host,
          starttlsPort: sandbox.starttlsPort,
          implicitPort: sandbox.implicitPort,
          user: sandbox.user,
          caFile: sandbox.caFile,
          messagesDir: sandbox.messagesDir,
        }
      : { running: false };

  const guarded =
    <S extends z.ZodType, T>(schema: S, run: (input: z.output<S>) => Promise<T>) =>
    async (payload: unknown): Promise<Result<T>> => {
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

  const table: HandlerTable = {
    'send:message': guarded(sendMessageSchema, async ({ password, useSandboxPassword, accountId, server, message, security, operationId }) => {
      if (useSandboxPassword && !sandbox) throw new HoplightError('ECONFIG', 'The sandbox is not running, so its password is not available.', { hint: 'Start the sandbox first.' });
      if (accountId !== undefined) {
        // The password is read here, in main, at send time; it never crosses to the renderer.
        const account = deps.accounts.store.find(accountId);
        const secret = await deps.accounts.passwordForSend(account, password);
        return runSend(operationId, (options) => submitMessage({ server: serverOf(account), message: { ...message, from: message.from || fromOf(account) }, security }, secret, options));
      }
      if (!server) throw inputError('server', 'give the server settings or an account.');
      return runSend(operationId, (options) => submitMessage({ server, message, security }, useSandboxPassword ? sandbox?.password : password, options));
    }),
    'attachments:pick': guarded(emptySchema, async () => {
      if (!deps.pickFiles) throw new HoplightError('ECONFIG', 'There is no file picker here.');
      return describeFiles(await deps.pickFiles());
    }),
    'attachments:describe': guarded(attachmentsDescribeSchema, ({ paths }) => describeFiles(paths)),
    'send:cancel': guarded(sendCancelSchema, async ({ operationId }) => {
      const controller = operations.get(operationId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    }),
    'posture:forecast': guarded(forecastSchema, ({ domain }) => forecasts.get(domain)),
    'sandbox:start': guarded(sandboxStartSchema, async (input) => {
      if (sandbox) return status();
      sandbox = await startSandbox({
        dataDir: deps.dataDir,
        ...(input.starttlsPort !== undefined ? { starttlsPort: input.starttlsPort } : {}),
        ...(input.implicitPort !== undefined ? { implicitPort: input.implicitPort } : {}),
        onStored: (message, files) =>
          deps.emit('sandbox:message-received', {
            id: message.id,
            mailFrom: message.envelope.mailFrom,
            rcptTo: message.envelope.rcptTo,
            requireTls: message.envelope.requireTls,
            ...(message.session.tlsProtocol ? { tlsProtocol: message.session.tlsProtocol } : {}),
            emlPath: files.eml,
          }),
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw new HoplightError('ECONNECTION', `A sandbox port is already in use (${error.message}).`, { hint: 'Stop the other sandbox or choose other ports.' });
        throw error;
      });
      return status();
    }),
    'sandbox:stop': guarded(emptySchema, async () => {
      const running = sandbox;
      sandbox = undefined;
      await running?.server.close();
      return status();
    }),
    'sandbox:status': guarded(emptySchema, async () => status()),
    'posture:check-server': guarded(checkServerSchema, async ({ caFile, ...target }) => checkServer({ ...target, ...(await extraCa(caFile)) })),
    'posture:check-domain': guarded(checkDomainSchema, async ({ domain, resolver, caFile }) =>
      checkDomain({ domain, resolver: createResolver(resolver ? parseResolverAddress(resolver) : systemResolverAddress()), ...(await extraCa(caFile)) }),
    ),
    'accounts:list': guarded(emptySchema, () => deps.accounts.list()),
    'accounts:add': guarded(accountAddSchema, async ({ account, password }) => deps.accounts.show((await deps.accounts.add(account, password)).id)),
    'accounts:update': guarded(accountUpdateSchema, async (account) => deps.accounts.show((await deps.accounts.store.update(account as Account)).id)),
    'accounts:remove': guarded(accountRefSchema, async ({ id }) => {
      await deps.accounts.remove(id);
      return { removed: true as const };
    }),
    'accounts:set-password': guarded(accountPasswordSchema, async ({ id, password }) => {
      await deps.accounts.setPassword(id, password);
      return { stored: true as const };
    }),
    'accounts:delete-password': guarded(accountRefSchema, async ({ id }) => ({ deleted: await deps.accounts.deletePassword(id) })),
    'accounts:has-password': guarded(accountRefSchema, async ({ id }) => ({ stored: (await deps.accounts.show(id)).passwordStored })),
    'accounts:discover': guarded(accountDiscoverSchema, async ({ address, resolver }) =>
      discoverSubmission(address, { resolver: createResolver(resolver ? parseResolverAddress(resolver) : systemResolverAddress()) }),
    ),
    'accounts:test': guarded(accountTestSchema, async ({ id, password }) => {
      const account = deps.accounts.store.find(id);
      return testAccount(account, await deps.accounts.passwordForSend(account, password));
    }),
  };

  return {
    table,
    dispose: async () => {
      await sandbox?.server.close();
      sandbox = undefined;
    },
  };
}
