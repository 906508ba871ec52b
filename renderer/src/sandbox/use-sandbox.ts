import { useCallback, useEffect, useState } from 'react';
import type { ErrorData } from '../../../shared/types/errors';
import type { SandboxMessageEvent, SandboxStatus } from '../../../shared/types/sandbox';
import { api } from '../api';

/** The sandbox server's status, the messages it received this session, and start/stop. */
export function useSandbox(): {
  status: SandboxStatus;
  received: readonly SandboxMessageEvent[];
  error?: ErrorData;
  busy: boolean;
  start: () => Promise<void>;
  stop: () => Promise<void>;
} {
  const [status, setStatus] = useState<SandboxStatus>({ running: false });
  const [received, setReceived] = useState<readonly SandboxMessageEvent[]>([]);
  const [error, setError] = useState<ErrorData>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void api.sandbox.status(undefined).then((r) => r.ok && setStatus(r.value));
    return api.events.sandboxMessageReceived((message) => setReceived((list) => [message, ...list]));
  }, []);

  const act = useCallback(async (call: () => ReturnType<typeof api.sandbox.status>) => {
    setBusy(true);
    const result = await call();
    setBusy(false);
    if (result.ok) {
      setStatus(result.value);
      setError(undefined);
    } else setError(result.error);
  }, []);

  return {
    status,
    received,
    ...(error ? { error } : {}),
    busy,
    start: () => act(() => api.sandbox.start({})),
    stop: () => act(() => api.sandbox.stop(undefined)),
  };
}
