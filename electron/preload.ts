import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS, buildApi } from '../shared/ipc/contract.js';

// The renderer's only door to main: the contract's API, never ipcRenderer itself.
const api = buildApi({
  invoke: (channel, request) => {
    if (!INVOKE_CHANNELS.includes(channel)) return Promise.reject(new Error(`Unknown channel ${channel}`));
    return ipcRenderer.invoke(channel, request);
  },
  subscribe: (channel, listener) => {
    if (!EVENT_CHANNELS.includes(channel)) throw new Error(`Unknown event ${channel}`);
    const forward = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => ipcRenderer.removeListener(channel, forward);
  },
  // Electron 32+ no longer puts a path on File objects; webUtils tells it for a file the user dropped.
  pathOfDroppedFile: (file) => (file instanceof File ? webUtils.getPathForFile(file) : undefined),
});

contextBridge.exposeInMainWorld('hoplight', api);
