import type { z } from 'zod';

/** One request/response channel: the schema main validates its request with, and the type of its response. */
export interface ChannelSpec<S extends z.ZodType, R> {
  readonly request: S;
  /** Only a type: the response's shape, carried for derivation (its value is never read). */
  readonly response: R;
}

/** Declares a channel: `channel<Response>()(requestSchema)`. */
export const channel =
  <R>() =>
  <S extends z.ZodType>(request: S): ChannelSpec<S, R> => ({ request, response: undefined as unknown as R });

/** One main-to-renderer event and its payload type. */
export interface EventSpec<P> {
  readonly payload: P;
}

/** Declares an event: `event<Payload>()`. */
export const event = <P>(): EventSpec<P> => ({ payload: undefined as unknown as P });
