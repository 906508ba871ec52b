import type { InvokeContract } from '../../../shared/ipc/contract';
import { api } from '../api';
import { useAsyncAction } from './use-async-action';

/** Sending a message: `{ status, data: report, error }` and `send(request)`. */
export function useSend() {
  return useAsyncAction((request: InvokeContract['send:message']['request']) => api.send.message(request));
}
