import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { openElectronAccountsFile } from './adapters/electron-accounts-file.js';
import { isFromWindow, registerHandlers } from './adapters/ipc-main.js';
import { KeyringCredentialStore } from './adapters/keyring-credential-store.js';
import { AccountsService } from './core/accounts/accounts-service.js';
import { AccountStore } from './core/accounts/account-store.js';
import { dataDir } from './core/data-dir.js';
import { createHandlers } from './ipc/handler-table.js';
import { isPlainHttpsUrl } from './ipc/external-url.js';

// One data folder for the app and the CLI (HOPLIGHT_HOME or the platform's app-data folder).
const home = dataDir();
app.setPath('userData', home);

const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
const appRoot = pathToFileURL(join(__dirname, '..', 'renderer')).href;
let mainWindow: BrowserWindow | undefined;

const handlers = createHandlers({
  dataDir: home,
  accounts: new AccountsService(() => new AccountStore(openElectronAccountsFile(home)), new KeyringCredentialStore()),
  emit: (channel, payload) => mainWindow?.webContents.send(channel, payload),
  logError: (message, error) => console.error(`[hoplight] ${message}`, error),
  pickFiles: async () => {
    const options = { title: 'Attach files', properties: ['openFile', 'multiSelections'] as ('openFile' | 'multiSelections')[] };
    const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  },
  pickMessage: async () => {
    const options = { title: 'Open a delivered copy', properties: ['openFile'] as 'openFile'[], filters: [{ name: 'E-mail messages', extensions: ['eml', 'msg', 'txt'] }, { name: 'All files', extensions: ['*'] }] };
    const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
    return result.canceled ? undefined : result.filePaths[0];
  },
  saveFile: async (suggestedName) => {
    const options = { title: 'Save the check as JSON', defaultPath: join(app.getPath('documents'), suggestedName), filters: [{ name: 'JSON', extensions: ['json'] }] };
    const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
    return result.canceled || !result.filePath ? undefined : result.filePath;
  },
});
registerHandlers(handlers.table, (event) => isFromWindow(event, mainWindow, appRoot));

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1100,
    height: 800,
    title: 'Hoplight',
    webPreferences: {
      // The preload is one bundled file that exposes a fixed, validated API through contextBridge (no Node or
      // ipcRenderer handle reaches the page); main checks every message’s sender and payload.
      preload: join(__dirname, 'preload.cjs'), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: true,
      // A middle click must not open a link in a new window (new windows are denied anyway).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  mainWindow.on('closed', () => {
    mainWindow = undefined;
  });
  void mainWindow.loadFile(rendererIndex);
}

// Lock every web contents: no navigation, no new windows; https links open in the system browser.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isPlainHttpsUrl(url)) void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK: https only, no credentials, checked by isPlainHttpsUrl
    return { action: 'deny' };
  });
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  void handlers.dispose();
});
