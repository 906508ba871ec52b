import { useCallback, useState } from 'react';
import type { ErrorData, Result } from '../../../shared/types/errors';

/** The state of one API call, as a feature hook exposes it. */
export interface ActionState<T> {
  readonly status: 'idle' | 'running' | 'done' | 'error';
  readonly data?: T;
  readonly error?: ErrorData;
}

/** Wraps an API call as `{ status, data, error }` plus a `run` function. */
export function useAsyncAction<A, T>(call: (arg: A) => Promise<Result<T>>): [ActionState<T>, (arg: A) => Promise<void>] {
  const [state, setState] = useState<ActionState<T>>({ status: 'idle' });
  const run = useCallback(
    async (arg: A) => {
      setState((previous) => ({ ...previous, status: 'running' }));
      try {
        const result = await call(arg);
        setState(result.ok ? { status: 'done', data: result.value } : { status: 'error', error: result.error });
      } catch (error) {
        setState({ status: 'error', error: { code: 'EINTERNAL', message: String(error), messageTransmitted: false } });
      }
    },
    [call],
  );
  return [state, run];
}
