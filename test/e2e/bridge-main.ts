// The main side of the test bridge as a process of its own, so a test can kill it with SIGKILL as a crash would.
// It builds the app's own handler table over HOPLIGHT_BRIDGE_DATA and answers invokes sent over the IPC channel
// of child_process.fork; events go back the same way. Bundled by app-bridge.ts (esbuild) before it is started.
import { AccountsService } from '../../electron/core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../../electron/core/accounts/account-store.js';
import { MemoryCredentialStore } from '../../electron/core/accounts/credential-store.js';
import { createHandlers } from '../../electron/ipc/handler-table.js';
import { INVOKE_CHANNELS, type InvokeChannel } from '../../shared/ipc/contract.js';

const dataDir = process.env.HOPLIGHT_BRIDGE_DATA;
if (!dataDir || !process.send) throw new Error('bridge-main runs forked, with HOPLIGHT_BRIDGE_DATA set');
const send = process.send.bind(process);
const handlers = createHandlers({
  dataDir,
  accounts: new AccountsService(() => new AccountStore(openAccountsFile(dataDir)), new MemoryCredentialStore()),
  emit: (channel, payload) => send({ kind: 'event', channel, payload }),
  logError: (message, error) => console.error(`[bridge-main] ${message}`, error),
});
process.on('message', (message: { id: number; channel: string; request: unknown }) => {
  if (!INVOKE_CHANNELS.includes(message.channel as InvokeChannel)) {
    send({ kind: 'result', id: message.id, error: `unknown channel ${message.channel}` });
    return;
  }
  void handlers.table[message.channel as InvokeChannel](message.request).then((result) => send({ kind: 'result', id: message.id, result }));
});
process.on('disconnect', () => void handlers.dispose().then(() => process.exit(0)));
send({ kind: 'ready', pid: process.pid });
