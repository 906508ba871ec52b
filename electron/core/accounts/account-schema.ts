import { z } from 'zod';

/** One stored account, as validated on every load (the file may have been edited by hand). */
export const storedAccountSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string().min(1).max(100),
    fromName: z.string().max(200).optional(),
    fromAddress: z.string().min(3).max(320),
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    security: z.enum(['starttls', 'implicit']),
    user: z.string().min(1).max(512),
    authMethod: z.enum(['auto', 'PLAIN', 'LOGIN']),
    caFile: z.string().max(4096).optional(),
    pinSha256: z.string().max(200).optional(),
    defaultSecurity: z.enum(['require-tls', 'default', 'tls-optional']),
    passwordStorage: z.enum(['keychain', 'ask']),
  })
  .strict();

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
