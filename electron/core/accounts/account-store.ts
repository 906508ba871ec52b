import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import type { Account } from '../../../shared/types/account.js';
import { HoplightError, inputError } from '../errors.js';
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
    accessPropertiesByDotNotation: false,
  };
}

/**
 * Opens the accounts file with conf. A file that is not JSON, or whose content breaks the schema, is moved aside
 * (never overwritten) and reported with where it went.
 */
export function openAccountsFile(dataDir: string, open: (options: ReturnType<typeof accountsFileOptions>) => AccountsFile = openWithConf): AccountsFile {
  const path = join(dataDir, 'accounts.json');
  let file: AccountsFile;
  try {
    file = open(accountsFileOptions(dataDir));
  } catch (error) {
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

/** Accounts: validated on load, names unique, never a password. */
export class AccountStore {
  constructor(private readonly file: AccountsFile) {}

  /** Where the accounts live on disk. */
  get path(): string {
    return this.file.path;
  }

  /** All accounts, in the order they were added. */
  list(): Account[] {
    return accountsFileSchema.parse({ accounts: this.file.get('accounts') }).accounts as Account[];
  }

  /** Finds an account by name (case-insensitive) or id; throws EINPUT when there is none. */
  find(nameOrId: string): Account {
    const account = this.list().find((a) => a.id === nameOrId || a.name.toLowerCase() === nameOrId.toLowerCase());
    if (!account) throw inputError('account', `there is no account named "${nameOrId}".`);
    return account;
  }

  /** Writes a validated new account; names are unique (case-insensitive). */
  insert(account: Account): void {
    const accounts = this.list();
    if (accounts.some((a) => a.name.toLowerCase() === account.name.toLowerCase())) throw inputError('name', `an account named "${account.name}" already exists.`);
    this.file.set('accounts', [...accounts, account]);
  }

  /** Replaces an account's settings (same id). */
  async update(account: Account): Promise<Account> {
    const accounts = this.list();
    if (!accounts.some((a) => a.id === account.id)) throw inputError('account', 'no such account.');
    if (accounts.some((a) => a.id !== account.id && a.name.toLowerCase() === account.name.toLowerCase())) throw inputError('name', `an account named "${account.name}" already exists.`);
    const valid = await validateAccount(account);
    this.file.set('accounts', accounts.map((a) => (a.id === account.id ? valid : a)));
    return valid;
  }

  /** Removes an account from the file (its secret is removed by the caller, see removeAccount). */
  remove(id: string): void {
    this.file.set('accounts', this.list().filter((a) => a.id !== id));
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
