import type { z } from 'zod';
import type { Result } from '../types/errors.js';
import { ACCOUNT_CHANNELS } from './channels/accounts.js';
import { DRAFT_CHANNELS } from './channels/drafts.js';
import { MAILBOX_CHANNELS, MAILBOX_EVENTS } from './channels/mailbox.js';
import { POSTURE_CHANNELS, POSTURE_EVENTS } from './channels/posture.js';
import { SANDBOX_CHANNELS, SANDBOX_EVENTS } from './channels/sandbox.js';
import { SEND_CHANNELS, SEND_EVENTS } from './channels/send.js';

export type { AttachmentInfo, SendResult } from './channels/send.js';
export type { OutboxSendResult } from './channels/mailbox.js';

/**
 * Every request/response channel, once, each paired with its request schema and response type in its feature's
 * file (`channels/*.ts`). Main registers a handler for each (and only these), validated with that schema; the
 * preload builds the renderer's API from the same object; the renderer's type is derived, never written by hand.
 * Adding a channel is one entry in a feature file (plus its handler, and the snapshot test on purpose).
 */
export const CHANNELS = { ...SEND_CHANNELS, ...DRAFT_CHANNELS, ...MAILBOX_CHANNELS, ...SANDBOX_CHANNELS, ...POSTURE_CHANNELS, ...ACCOUNT_CHANNELS } as const;

/** Main-to-renderer events, once. */
export const EVENTS = { ...SANDBOX_EVENTS, ...SEND_EVENTS, ...MAILBOX_EVENTS, ...POSTURE_EVENTS } as const;

/** A channel name. */
export type InvokeChannel = keyof typeof CHANNELS;
/** An event name. */
export type EventChannel = keyof typeof EVENTS;

/** Each channel's request (as the renderer may give it) and response. */
export type InvokeContract = {
  readonly [C in InvokeChannel]: { request: z.input<(typeof CHANNELS)[C]['request']>; response: (typeof CHANNELS)[C]['response'] };
};
/** Each event's payload. */
export type EventContract = { readonly [E in EventChannel]: (typeof EVENTS)[E]['payload'] };

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
type GroupOf<C extends string> = C extends `${infer G}:${string}` ? G : never;
type ActionOf<C extends string> = C extends `${string}:${infer A}` ? Camel<A> : never;
type EventName<E extends string> = E extends `${infer G}:${infer A}` ? `${Camel<G>}${Capitalize<Camel<A>>}` : never;

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const groupOf = (channel: string): string => channel.slice(0, channel.indexOf(':'));
const actionOf = (channel: string): string => camel(channel.slice(channel.indexOf(':') + 1));
const eventName = (channel: string): string => {
  const action = actionOf(channel);
  return `${camel(groupOf(channel))}${action.charAt(0).toUpperCase()}${action.slice(1)}`;
};

/** Every invoke channel, for registration and the channel snapshot test. */
export const INVOKE_CHANNELS = Object.keys(CHANNELS) as readonly InvokeChannel[];
/** Every event channel. */
export const EVENT_CHANNELS = Object.keys(EVENTS) as readonly EventChannel[];

/** The renderer's API grouped by feature, derived from the channel names: `send:message` → `api.send.message`. */
export const API_SHAPE = Object.freeze(
  INVOKE_CHANNELS.reduce<Record<string, Record<string, InvokeChannel>>>((shape, channel) => {
    (shape[groupOf(channel)] ??= {})[actionOf(channel)] = channel;
    return shape;
  }, {}),
);

type Invoker<C extends InvokeChannel> = (request: InvokeContract[C]['request']) => Promise<Result<InvokeContract[C]['response']>>;

/** The shape of the API the preload exposes, derived from the contract. */
export type HoplightApi = {
  readonly [G in GroupOf<InvokeChannel>]: { readonly [C in InvokeChannel as GroupOf<C> extends G ? ActionOf<C> : never]: Invoker<C> };
} & {
  /** Subscriptions to main's events: `api.events.sendProgress(listener)` returns the unsubscribe function. */
  readonly events: { readonly [E in EventChannel as EventName<E>]: (listener: (payload: EventContract[E]) => void) => () => void };
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
  const events = Object.freeze(Object.fromEntries(EVENT_CHANNELS.map((channel) => [eventName(channel), (listener: (payload: unknown) => void) => transport.subscribe(channel, listener)])));
  const pathOfDroppedFile = (file: unknown): string | undefined => transport.pathOfDroppedFile?.(file) || undefined;
  return Object.freeze({ ...groups, events, pathOfDroppedFile }) as unknown as HoplightApi;
}
