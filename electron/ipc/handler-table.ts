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
import { submitMessage } from '../core/submit-message.js';

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
    'send:message': guarded(sendMessageSchema, async ({ password, useSandboxPassword, accountId, server, message, security }) => {
      if (useSandboxPassword && !sandbox) throw new HoplightError('ECONFIG', 'The sandbox is not running, so its password is not available.', { hint: 'Start the sandbox first.' });
      if (accountId !== undefined) {
        // The password is read here, in main, at send time; it never crosses to the renderer.
        const account = deps.accounts.store.find(accountId);
        const secret = await deps.accounts.passwordForSend(account, password);
        return submitMessage({ server: serverOf(account), message: { ...message, from: message.from || fromOf(account) }, security }, secret);
      }
      if (!server) throw inputError('server', 'give the server settings or an account.');
      return submitMessage({ server, message, security }, useSandboxPassword ? sandbox?.password : password);
    }),
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
