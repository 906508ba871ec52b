import { z } from 'zod';
import { accountInputSchema } from '../../../shared/ipc/schemas.js';

/** One stored account, as validated on every load (the file may have been edited by hand): the IPC input plus its id. */
export const storedAccountSchema = accountInputSchema.extend({ id: z.string().uuid() }).strict();

/** The accounts file's content (besides conf's own `__internal__` bookkeeping). */
export const accountsFileSchema = z.object({ accounts: z.array(storedAccountSchema) });

/** The accounts file's format version; conf runs the migrations up to it and records it in the file. */
export const ACCOUNTS_FORMAT_VERSION = '1.1.0';

/**
 * Migrations, keyed by the version they bring the file to (conf runs each once, in order).
 * 1.0.0: the first format. 1.1.0: accounts gained `passwordStorage` and `defaultSecurity`.
 */
export const ACCOUNTS_MIGRATIONS: Record<string, (store: { get(key: string): unknown; set(key: string, value: unknown): void; has(key: string): boolean }) => void> = {
  '1.0.0': (store) => {
    if (!store.has('accounts')) store.set('accounts', []);
  },
  '1.1.0': (store) => {
    const accounts = (store.get('accounts') as Record<string, unknown>[] | undefined) ?? [];
    store.set(
      'accounts',
      accounts.map((account) => ({ passwordStorage: 'keychain', defaultSecurity: 'default', ...account })),
    );
  },
};
