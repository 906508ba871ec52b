import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { INVOKE_CHANNELS } from '../../shared/ipc/contract.js';
import type { HandlerTable } from '../ipc/handler-table.js';

/**
 * Registers the handler table with ipcMain, one typed handler per contract channel. Calls are accepted only from
 * the app's own window and its own page (Electron security checklist, item 17).
 */
export function registerHandlers(table: HandlerTable, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, payload: unknown) => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'EINTERNAL', message: 'Refused an IPC call from an untrusted sender.', messageTransmitted: false } };
      }
      return table[channel](payload);
    });
  }
}

/** True when the event comes from `window`'s main frame showing a page under `appRoot`. */
export function isFromWindow(event: IpcMainInvokeEvent, window: BrowserWindow | undefined, appRoot: string): boolean {
  if (!window || BrowserWindow.fromWebContents(event.sender) !== window) return false;
  const url = event.senderFrame?.url ?? '';
  return url.startsWith(appRoot);
}
