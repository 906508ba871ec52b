// Bundled into the page by the e2e tests in place of the preload: the same contract and buildApi, with the
// transport going to the handler table in the test process (page.exposeFunction) instead of ipcRenderer.
import { buildApi, type EventChannel } from '../../shared/ipc/contract.js';

declare global {
  interface Window {
    __hoplightInvoke(channel: string, request: unknown): Promise<unknown>;
    __hoplightEmit(channel: EventChannel, payload: unknown): void;
  }
}

const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
window.__hoplightEmit = (channel, payload) => listeners.get(channel)?.forEach((listener) => listener(payload));
Object.defineProperty(window, 'hoplight', {
  value: buildApi({
    invoke: (channel, request) => window.__hoplightInvoke(channel, request),
    subscribe: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  }),
});
