import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import type { Account } from '../../../shared/types/account.js';
import { HoplightError, inputError } from '../errors.js';
import { readFileNoFollow, withFileLock, withFileLockSync, writeFileAtomic } from '../files/atomic-file.js';
import { parseMailbox } from '../message/address.js';
import { checkServerSettings } from '../server-settings.js';
import { serverOf } from './account-fields.js';
import { ACCOUNTS_FORMAT_VERSION, ACCOUNTS_MIGRATIONS, accountsFileSchema, storedAccountSchema } from './account-schema.js';

/** The key-value file under the accounts: conf in the CLI and tests, electron-store (built on conf) in the app. */
export interface AccountsFile {
  get(key: 'accounts'): unknown;
  set(key: 'accounts', value: unknown): void;
  readonly path: string;
}

/** The options conf and electron-store share, so both read and write the very same file. */
export function accountsFileOptions(dataDir: string) {
  return {
    cwd: dataDir,
    configName: 'accounts',
    projectName: 'hoplight',
    projectVersion: ACCOUNTS_FORMAT_VERSION,
    migrations: ACCOUNTS_MIGRATIONS,
    defaults: { accounts: [] as unknown[] },
    clearInvalidConfig: false,
    configFileMode: 0o600,
    accessPropertiesByDotNotation: false,
  };
}

/**
 * Opens the accounts file with conf. A file that is not JSON, or whose content breaks the schema, is moved aside
 * (never overwritten) and reported with where it went.
 */
export function openAccountsFile(dataDir: string, open: (options: ReturnType<typeof accountsFileOptions>) => AccountsFile = openWithConf): AccountsFile {
  const path = join(dataDir, 'accounts.json');
  // Never read or write through a link planted in the data folder (this throws ECONFIG for one).
  readFileNoFollow(path);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let file: AccountsFile;
  try {
    // Opening may create or migrate the file: under the same lock as every change, or a parallel add is lost.
    file = withFileLockSync(path, () => open(accountsFileOptions(dataDir)));
  } catch (error) {
    if (error instanceof HoplightError) throw error;
    throw setAside(path, (error as Error).message);
  }
  const parsed = accountsFileSchema.safeParse({ accounts: file.get('accounts') });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw setAside(path, `${issue?.path.join('.') ?? 'accounts'}: ${issue?.message ?? 'invalid'}`);
  }
  return file;
}

/**
 * conf is ESM-only; the CommonJS bundles load it through require(esm), whose namespace may arrive wrapped once
 * more. Take the class wherever it is.
 */
function openWithConf(options: ReturnType<typeof accountsFileOptions>): AccountsFile {
  const exported = Conf as unknown as { default?: typeof Conf };
  const ConfClass = typeof Conf === 'function' ? Conf : (exported.default as typeof Conf);
  return new ConfClass(options) as unknown as AccountsFile;
}

function setAside(path: string, why: string): HoplightError {
  if (!existsSync(path)) return new HoplightError('ECONFIG', `The accounts file could not be opened: ${why}`);
  const aside = `${path}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, aside);
  return new HoplightError('ECONFIG', `The accounts file ${path} is damaged (${why}). It was moved to ${aside} and nothing was overwritten; Hoplight starts with no accounts.`, {
    hint: 'Repair the moved file and put it back, or add your accounts again.',
  });
}

/**
 * Accounts: validated on load, names unique, never a password. Every change is a read-modify-write of the file
 * under an exclusive lock, written atomically (mode 600, never through a symbolic link), so parallel processes
 * never lose an account.
 */
export class AccountStore {
  constructor(private readonly file: AccountsFile) {}

  /** Where the accounts live on disk. */
  get path(): string {
    return this.file.path;
  }

  /** All accounts, in the order they were added (read from disk each time: another process may have changed them). */
  list(): Account[] {
    return accountsFileSchema.parse({ accounts: this.read().accounts ?? [] }).accounts as Account[];
  }

  /** Finds an account by name (case-insensitive) or id; throws EINPUT when there is none. */
  find(nameOrId: string): Account {
    const account = this.list().find((a) => a.id === nameOrId || a.name.toLowerCase() === nameOrId.toLowerCase());
    if (!account) throw inputError('account', `there is no account named "${nameOrId}".`);
    return account;
  }

  /** Writes a validated new account; names are unique (case-insensitive). */
  async insert(account: Account): Promise<void> {
    await this.mutate((accounts) => {
      if (accounts.some((a) => a.name.toLowerCase() === account.name.toLowerCase())) throw inputError('name', `an account named "${account.name}" already exists.`);
      return [...accounts, account];
    });
  }

  /** Replaces an account's settings (same id). */
  async update(account: Account): Promise<Account> {
    const valid = await validateAccount(account);
    await this.mutate((accounts) => {
      if (!accounts.some((a) => a.id === account.id)) throw inputError('account', 'no such account.');
      if (accounts.some((a) => a.id !== account.id && a.name.toLowerCase() === account.name.toLowerCase())) throw inputError('name', `an account named "${account.name}" already exists.`);
      return accounts.map((a) => (a.id === account.id ? valid : a));
    });
    return valid;
  }

  /** Removes an account from the file (its secret is removed by the caller, see removeAccount). */
  async remove(id: string): Promise<void> {
    await this.mutate((accounts) => accounts.filter((a) => a.id !== id));
  }

  /** The whole file as JSON (conf keeps its migration record beside the accounts; it is preserved). */
  private read(): Record<string, unknown> & { accounts?: unknown } {
    const raw = readFileNoFollow(this.file.path);
    if (raw === undefined) return { accounts: [] };
    try {
      return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new HoplightError('ECONFIG', `The accounts file ${this.file.path} is not valid JSON (${(error as Error).message}); it was changed by something other than Hoplight.`);
    }
  }

  private async mutate(change: (accounts: Account[]) => Account[]): Promise<void> {
    await withFileLock(this.file.path, () => {
      const whole = this.read();
      const accounts = accountsFileSchema.parse({ accounts: whole.accounts ?? [] }).accounts as Account[];
      writeFileAtomic(this.file.path, `${JSON.stringify({ ...whole, accounts: change(accounts) }, null, '\t')}\n`, 0o600);
    });
  }
}

/** Checks an account as strictly as a send would, before it is stored. */
export async function validateAccount(account: Account): Promise<Account> {
  parseMailbox('from', account.fromAddress);
  if (account.fromName !== undefined && /[\r\n]/.test(account.fromName)) throw inputError('fromName', 'must not contain a line break.');
  if (/[\r\n]/.test(account.name)) throw inputError('name', 'must not contain a line break.');
  await checkServerSettings(
    serverOf(account),
    undefined,
    { passwordNeeded: false }, // the password is the keychain's business, not the file's
  );
  const parsed = storedAccountSchema.safeParse(account);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'account';
    throw inputError(field, issue?.message ?? 'invalid');
  }
  return parsed.data as Account;
}
