import type { z } from 'zod';
import type { Result } from '../types/errors.js';
import type { SubmissionReport } from '../types/report.js';
import type { SandboxMessageEvent, SandboxStatus } from '../types/sandbox.js';
import type { DomainCheckResult, ServerCheckResult } from '../types/posture.js';
import type { checkDomainSchema, checkServerSchema, emptySchema, sandboxStartSchema, sendMessageSchema } from './schemas.js';

/**
 * Every request/response channel, once. Main registers a handler for each (and only these); the preload builds
 * the renderer's API from `API_SHAPE`; the renderer's type is derived, never written by hand.
 */
export interface InvokeContract {
  /** Submit one message; `ok: true` means an attempt was made, whose report says whether it was accepted. */
  'send:message': { request: z.input<typeof sendMessageSchema>; response: SubmissionReport };
  'sandbox:start': { request: z.input<typeof sandboxStartSchema>; response: SandboxStatus };
  'sandbox:stop': { request: z.input<typeof emptySchema>; response: SandboxStatus };
  'sandbox:status': { request: z.input<typeof emptySchema>; response: SandboxStatus };
  /** Check a mail server's TLS posture (never logs in, never sends mail). */
  'posture:check-server': { request: z.input<typeof checkServerSchema>; response: ServerCheckResult };
  /** Check a recipient domain's delivery security and forecast the last hop. */
  'posture:check-domain': { request: z.input<typeof checkDomainSchema>; response: DomainCheckResult };
}

/** Main-to-renderer events. */
export interface EventContract {
  'sandbox:message-received': SandboxMessageEvent;
}

/** A channel name. */
export type InvokeChannel = keyof InvokeContract;
/** An event name. */
export type EventChannel = keyof EventContract;

/** The renderer's API grouped by feature: `api.send.message(…)`, `api.sandbox.start(…)`. */
export const API_SHAPE = {
  send: { message: 'send:message' },
  sandbox: { start: 'sandbox:start', stop: 'sandbox:stop', status: 'sandbox:status' },
  posture: { checkServer: 'posture:check-server', checkDomain: 'posture:check-domain' },
} as const satisfies Record<string, Record<string, InvokeChannel>>;

/** Events the renderer may subscribe to, by feature: `api.events.sandboxMessageReceived(cb)`. */
export const EVENT_SHAPE = {
  sandboxMessageReceived: 'sandbox:message-received',
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
};

/** The transport the API is built over: Electron's ipcRenderer in the preload, a test bridge in e2e tests. */
export interface ApiTransport {
  invoke(channel: InvokeChannel, request: unknown): Promise<unknown>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
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
  return Object.freeze({ ...groups, events }) as unknown as HoplightApi;
}
