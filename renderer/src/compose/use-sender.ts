import { useCallback, useEffect, useRef, useState } from 'react';
import type { InvokeContract, SendResult } from '../../../shared/ipc/contract';
import type { ErrorData } from '../../../shared/types/errors';
import type { SendStep } from '../../../shared/types/report';
import { api } from '../api';
import { newOperationId } from '../ui/operation-id';

/** A send as an operation: its current step while running, then its result; cancellable. */
export interface SenderState {
  readonly status: 'idle' | 'sending' | 'done' | 'error';
  readonly step?: SendStep;
  readonly cancelling?: boolean;
  readonly result?: SendResult;
  readonly error?: ErrorData;
}

/** Sends with an operation id, follows `send:progress` for it, and can cancel it. */
export function useSender(): { state: SenderState; send: (request: InvokeContract['send:message']['request']) => Promise<void>; cancel: () => void; reset: () => void } {
  const [state, setState] = useState<SenderState>({ status: 'idle' });
  const current = useRef<string | undefined>(undefined);
  useEffect(
    () =>
      api.events.sendProgress(({ operationId, step }) => {
        if (operationId === current.current) setState((s) => (s.status === 'sending' ? { ...s, step } : s));
      }),
    [],
  );
  const send = useCallback(async (request: InvokeContract['send:message']['request']) => {
    const operationId = newOperationId();
    current.current = operationId;
    setState({ status: 'sending', step: 'connecting' });
    const result = await api.send.message({ ...request, operationId });
    if (current.current !== operationId) return; // a newer send owns the state
    current.current = undefined;
    setState(result.ok ? { status: 'done', result: result.value } : { status: 'error', error: result.error });
  }, []);
  const cancel = useCallback(() => {
    const operationId = current.current;
    if (!operationId) return;
    setState((s) => ({ ...s, cancelling: true }));
    void api.send.cancel({ operationId });
  }, []);
  const reset = useCallback(() => setState({ status: 'idle' }), []);
  return { state, send, cancel, reset };
}
