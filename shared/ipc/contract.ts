import type { z } from 'zod';
import type { Result } from '../types/errors.js';
import type { HopModel } from '../types/hop-model.js';
import type { SendStep, SubmissionReport } from '../types/report.js';
import type { SandboxMessageEvent, SandboxStatus } from '../types/sandbox.js';
import type { AccountTestResult, AccountView, DiscoveryResult } from '../types/account.js';
import type { DomainCheckResult, ServerCheckResult } from '../types/posture.js';
import type {
  accountAddSchema,
  accountDiscoverSchema,
  accountPasswordSchema,
  accountRefSchema,
  accountTestSchema,
  accountUpdateSchema,
  checkDomainSchema,
  checkServerSchema,
  attachmentsDescribeSchema,
  emptySchema,
  forecastSchema,
  sandboxStartSchema,
  sendCancelSchema,
  sendMessageSchema,
} from './schemas.js';

/**
 * Every request/response channel, once. Main registers a handler for each (and only these); the preload builds
 * the renderer's API from `API_SHAPE`; the renderer's type is derived, never written by hand.
 */
export interface InvokeContract {
  /** Submit one message; `ok: true` means an attempt was made, whose report says whether it was accepted. */
  'send:message': { request: z.input<typeof sendMessageSchema>; response: SendResult };
  /** Cancel a send by its operation id; `cancelled: false` when none is running under that id. */
  'send:cancel': { request: z.input<typeof sendCancelSchema>; response: { cancelled: boolean } };
  /** Opens the system's file picker in main; the renderer never reads files, it only holds their paths. */
  'attachments:pick': { request: z.input<typeof emptySchema>; response: AttachmentInfo[] };
  /** Names, sizes and problems of files dropped on the composer, by path. */
  'attachments:describe': { request: z.input<typeof attachmentsDescribeSchema>; response: AttachmentInfo[] };
  /** A recipient domain's check and forecast, cached in main for a few minutes (the composer asks as addresses are typed). */
  'posture:forecast': { request: z.input<typeof forecastSchema>; response: DomainCheckResult };
  'sandbox:start': { request: z.input<typeof sandboxStartSchema>; response: SandboxStatus };
  'sandbox:stop': { request: z.input<typeof emptySchema>; response: SandboxStatus };
  'sandbox:status': { request: z.input<typeof emptySchema>; response: SandboxStatus };
  /** Check a mail server's TLS posture (never logs in, never sends mail). */
  'posture:check-server': { request: z.input<typeof checkServerSchema>; response: ServerCheckResult };
  /** Check a recipient domain's delivery security and forecast the last hop. */
  'posture:check-domain': { request: z.input<typeof checkDomainSchema>; response: DomainCheckResult };
  'accounts:list': { request: z.input<typeof emptySchema>; response: AccountView[] };
  /** Add an account; its password (if any) goes to the keychain, never to a file. */
  'accounts:add': { request: z.input<typeof accountAddSchema>; response: AccountView };
  'accounts:update': { request: z.input<typeof accountUpdateSchema>; response: AccountView };
  /** Remove an account and its keychain secret. */
  'accounts:remove': { request: z.input<typeof accountRefSchema>; response: { removed: true } };
  /** Set or replace a password (write-only). */
  'accounts:set-password': { request: z.input<typeof accountPasswordSchema>; response: { stored: true } };
  'accounts:delete-password': { request: z.input<typeof accountRefSchema>; response: { deleted: boolean } };
  /** Whether a password is stored; there is no channel that returns one. */
  'accounts:has-password': { request: z.input<typeof accountRefSchema>; response: { stored: boolean | 'unknown' } };
  'accounts:discover': { request: z.input<typeof accountDiscoverSchema>; response: DiscoveryResult };
  /** Connect, TLS, AUTH and the posture check, without sending mail. */
  'accounts:test': { request: z.input<typeof accountTestSchema>; response: AccountTestResult };
}

/** Main-to-renderer events. */
export interface EventContract {
  'sandbox:message-received': SandboxMessageEvent;
  /** A send entered a step: connecting, TLS, authenticating, sending, awaiting the verdict, finished. */
  'send:progress': { readonly operationId: string; readonly step: SendStep };
}

/** A file chosen as an attachment: where it is, its name and size, or why it cannot be attached. */
export interface AttachmentInfo {
  readonly path: string;
  readonly name: string;
  readonly size?: number;
  readonly problem?: string;
}

/** What a send returns: the report, its per-hop model (computed in main) and the same text `hoplight send` prints. */
export interface SendResult {
  readonly report: SubmissionReport;
  readonly hops: HopModel;
  readonly text: string;
}

/** A channel name. */
export type InvokeChannel = keyof InvokeContract;
/** An event name. */
export type EventChannel = keyof EventContract;

/** The renderer's API grouped by feature: `api.send.message(…)`, `api.sandbox.start(…)`. */
export const API_SHAPE = {
  send: { message: 'send:message', cancel: 'send:cancel' },
  attachments: { pick: 'attachments:pick', describe: 'attachments:describe' },
  sandbox: { start: 'sandbox:start', stop: 'sandbox:stop', status: 'sandbox:status' },
  posture: { checkServer: 'posture:check-server', checkDomain: 'posture:check-domain', forecast: 'posture:forecast' },
  accounts: {
    list: 'accounts:list',
    add: 'accounts:add',
    update: 'accounts:update',
    remove: 'accounts:remove',
    setPassword: 'accounts:set-password',
    deletePassword: 'accounts:delete-password',
    hasPassword: 'accounts:has-password',
    discover: 'accounts:discover',
    test: 'accounts:test',
  },
} as const satisfies Record<string, Record<string, InvokeChannel>>;

/** Events the renderer may subscribe to, by feature: `api.events.sandboxMessageReceived(cb)`. */
export const EVENT_SHAPE = {
  sandboxMessageReceived: 'sandbox:message-received',
  sendProgress: 'send:progress',
} as const satisfies Record<string, EventChannel>;

/** Every invoke channel, for registration and the channel snapshot test. */
export const INVOKE_CHANNELS: readonly InvokeChannel[] = Object.values(API_SHAPE).flatMap((group) => Object.values(group));

/** Every event channel. */
export const EVENT_CHANNELS: readonly EventChannel[] = Object.values(EVENT_SHAPE);

type Invoker<C extends InvokeChannel> = (request: InvokeContract[C]['request']) => Promise<Result<InvokeContract[C]['response']>>;

/** The shape of the API the preload exposes, derived from the contract. */
export type HoplightApi = {
  readonly [G in keyof typeof API_SHAPE]: { readonly [A in keyof (typeof API_SHAPE)[G]]: Invoker<(typeof API_SHAPE)[G][A] & InvokeChannel> };
} & {
  readonly events: { readonly [E in keyof typeof EVENT_SHAPE]: (listener: (payload: EventContract[(typeof EVENT_SHAPE)[E]]) => void) => () => void };
  /** The path of a file dropped on the window (Electron's webUtils in the preload); undefined where there is none. */
  readonly pathOfDroppedFile: (file: unknown) => string | undefined;
};

/** The transport the API is built over: Electron's ipcRenderer in the preload, a test bridge in e2e tests. */
export interface ApiTransport {
  invoke(channel: InvokeChannel, request: unknown): Promise<unknown>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
  /** Where the platform can tell a dropped file's path. */
  pathOfDroppedFile?(file: unknown): string | undefined;
}

/** Builds the renderer's API from the contract over a transport. */
export function buildApi(transport: ApiTransport): HoplightApi {
  const groups = Object.fromEntries(
    Object.entries(API_SHAPE).map(([group, actions]) => [
      group,
      Object.freeze(Object.fromEntries(Object.entries(actions).map(([action, channel]) => [action, (request: unknown) => transport.invoke(channel, request)]))),
    ]),
  );
  const events = Object.freeze(
    Object.fromEntries(Object.entries(EVENT_SHAPE).map(([name, channel]) => [name, (listener: (payload: unknown) => void) => transport.subscribe(channel, listener)])),
  );
  const pathOfDroppedFile = (file: unknown): string | undefined => transport.pathOfDroppedFile?.(file) || undefined;
  return Object.freeze({ ...groups, events, pathOfDroppedFile }) as unknown as HoplightApi;
}
