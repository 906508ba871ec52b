import type ElectronStore from 'electron-store';
import { openAccountsFile, type AccountsFile } from '../core/accounts/account-store.js';

/**
 * The accounts file through electron-store, with exactly the options the CLI gives conf (electron-store is built
 * on conf), so the app and `hoplight accounts` read and write the same file with the same schema and migrations.
 */
export function openElectronAccountsFile(dataDir: string): AccountsFile {
  return openAccountsFile(dataDir, (options) => {
    // Loaded on first use, not at start-up: electron-store is ESM-only and reaches for Electron as it loads.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require('electron-store') as typeof ElectronStore | { default: typeof ElectronStore };
    const StoreClass = typeof loaded === 'function' ? loaded : loaded.default;
    return new StoreClass(options) as unknown as AccountsFile;
  });
}
