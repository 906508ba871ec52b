import { useCallback, useEffect, useRef, useState } from 'react';
import type { OutboxSendResult, SendResult } from '../../../shared/ipc/contract';
import type { ErrorData, Result } from '../../../shared/types/errors';
import type { Filing } from '../../../shared/types/mailbox';
import type { SendStep } from '../../../shared/types/report';
import { api } from '../api';
import { newOperationId } from '../ui/operation-id';

/** A send as an operation: its current step while running, then its result; cancellable. */
export interface SenderState {
  readonly status: 'idle' | 'sending' | 'done' | 'error';
  readonly step?: SendStep;
  readonly cancelling?: boolean;
  readonly result?: SendResult;
  /** Where the message is now (Sent, still in the Outbox, back in Drafts). */
  readonly filing?: Filing;
  readonly error?: ErrorData;
}

/** A send through the Outbox, given the operation id to follow. */
export type SendRun = (operationId: string) => Promise<Result<OutboxSendResult>>;

/** Sends with an operation id, follows `send:progress` for it, and can cancel it. */
export function useSender(): { state: SenderState; send: (run: SendRun) => Promise<void>; cancel: () => void; reset: () => void } {
  const [state, setState] = useState<SenderState>({ status: 'idle' });
  const current = useRef<string | undefined>(undefined);
  useEffect(
    () =>
      api.events.sendProgress(({ operationId, step }) => {
        if (operationId === current.current) setState((s) => (s.status === 'sending' ? { ...s, step } : s));
      }),
    [],
  );
  const send = useCallback(async (run: SendRun) => {
    const operationId = newOperationId();
    current.current = operationId;
    setState({ status: 'sending', step: 'connecting' });
    const result = await run(operationId);
    if (current.current !== operationId) return; // a newer send owns the state
    current.current = undefined;
    if (!result.ok) return setState({ status: 'error', error: result.error });
    const { filing, result: sent, error } = result.value;
    setState(sent ? { status: 'done', result: sent, filing } : { status: 'error', filing, ...(error ? { error } : {}) });
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
