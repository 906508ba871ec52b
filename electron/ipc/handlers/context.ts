import type { z } from 'zod';
import type { ChannelSpec } from '../../../shared/ipc/channel.js';
import type { EventChannel, EventContract } from '../../../shared/ipc/contract.js';
import type { AccountsService } from '../../core/accounts/accounts-service.js';
import { createResolver, parseResolverAddress, systemResolverAddress, type Resolver } from '../../core/dns/dns-client.js';
import { MAX_CA_FILE_BYTES, readLocalFile } from '../../core/files/local-file.js';
import type { Mailbox } from '../../core/mailbox/mailbox.js';
import type { ForecastCache } from '../../core/posture/forecast-cache.js';
import type { SandboxService } from '../../core/sandbox/sandbox-service.js';
import type { Operations } from '../operations.js';
import type { SubmitOptions } from '../../core/submit-message.js';
import type { SendStep } from '../../../shared/types/report.js';

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
  /** The system's file picker for one message file (.eml), undefined when cancelled. */
  readonly pickMessage?: () => Promise<string | undefined>;
  /** The system's save dialog (Electron's in the app): the path the user chose for `suggestedName`, undefined when cancelled. */
  readonly saveFile?: (suggestedName: string) => Promise<string | undefined>;
  /** The Outbox's automatic retries: on by default; tests shorten the schedule or switch them off. */
  readonly mailbox?: { readonly autoRetry?: boolean; readonly retrySchedule?: readonly number[] };
  /**
   * How the composer's forecasts, the check screen's domain and server checks, and a delivered copy's DKIM and ARC
   * keys are looked up (tests point them at a local DNSSEC world and trust the test CA as a root).
   */
  readonly forecast?: { readonly resolver?: string; readonly extraCaPem?: string; readonly smtpPort?: number; readonly httpsPort?: number };
}

/** The services the feature handlers share. */
export interface HandlerContext {
  readonly deps: HandlerDeps;
  readonly sandbox: SandboxService;
  readonly forecasts: ForecastCache;
  readonly operations: Operations;
  readonly mailbox: Mailbox;
}

/** The implementations of a feature's channels: each takes the request as its schema parsed it. */
export type Implementations<T extends Record<string, ChannelSpec<z.ZodType, unknown>>> = {
  readonly [C in keyof T]: (input: z.output<T[C]['request']>) => Promise<T[C]['response']> | T[C]['response'];
};

/** Reads the extra CA a request names (bounded, a regular file). */
export async function extraCa(caFile: string | undefined): Promise<{ extraCaPem?: string }> {
  if (caFile === undefined) return {};
  return { extraCaPem: (await readLocalFile('caFile', caFile, MAX_CA_FILE_BYTES)).toString('utf8') };
}

/**
 * Runs a send-like operation under its id: registered for `send:cancel`, its steps emitted as `send:progress`,
 * bugs logged where the deps say. Shared by direct sends and sends through the Outbox.
 */
export async function asOperation<T>(ctx: HandlerContext, operationId: string | undefined, work: (options: SubmitOptions) => Promise<T>): Promise<T> {
  const { deps, operations } = ctx;
  const operation = operations.start(operationId);
  try {
    return await work({
      signal: operation.signal,
      ...(deps.logError ? { logError: deps.logError } : {}),
      ...(operationId !== undefined ? { onProgress: (step: SendStep) => deps.emit('send:progress', { operationId, step }) } : {}),
    });
  } finally {
    operation.done();
  }
}

/** The resolver for checks and key lookups: the one named (by the request or the deps), else the system's first. */
export function lookupResolver(deps: HandlerDeps, named?: string): Resolver {
  const address = named ?? deps.forecast?.resolver;
  return createResolver(address ? parseResolverAddress(address) : systemResolverAddress());
}
