import type { Account, AccountInput, AccountView } from '../../../shared/types/account.js';
import { HoplightError, inputError } from '../errors.js';
import { randomUUID } from 'node:crypto';
import { validateAccount, type AccountStore } from './account-store.js';
import type { CredentialStore } from './credential-store.js';

/** Accounts and their secrets together: the file never sees a password, the keychain never sees settings. */
export class AccountsService {
  private opened?: AccountStore;

  /** `openStore` is called on first use, so a refused keychain can stop an add before the file is touched. */
  constructor(
    private readonly openStore: () => AccountStore,
    private readonly credentials: CredentialStore,
  ) {}

  /** The accounts file (opened on first use). */
  get store(): AccountStore {
    this.opened ??= this.openStore();
    return this.opened;
  }

  /**
   * Adds an account. With keychain storage the password goes into the keychain first: if there is no keychain,
   * the error says so and nothing is written anywhere.
   */
  async add(input: AccountInput, password: string | undefined): Promise<Account> {
    if (input.passwordStorage === 'keychain' && !password) throw inputError('password', 'a password is needed to store in the keychain (or choose to be asked at each send).');
    if (input.passwordStorage === 'ask' && password) throw inputError('password', 'this account asks for its password at each send, so none is stored.');
    const account = await validateAccount({ ...input, id: randomUUID() });
    // Keychain first: when there is none, the error says so and the accounts file is not even opened.
    if (password) await this.credentials.set(account.id, password);
    try {
      await this.store.insert(account);
    } catch (error) {
      if (password) await this.credentials.delete(account.id).catch(() => false);
      throw error;
    }
    return account;
  }

  /** Every account with whether a password is stored (never the password). */
  async list(): Promise<AccountView[]> {
    return Promise.all(this.store.list().map((account) => this.view(account)));
  }

  /** One account as shown. */
  async show(nameOrId: string): Promise<AccountView> {
    return this.view(this.store.find(nameOrId));
  }

  /** Stores or replaces an account's password in the keychain. */
  async setPassword(nameOrId: string, password: string): Promise<void> {
    const account = this.store.find(nameOrId);
    if (!password) throw inputError('password', 'is empty.');
    await this.credentials.set(account.id, password);
    if (account.passwordStorage !== 'keychain') await this.store.update({ ...account, passwordStorage: 'keychain' });
  }

  /** Deletes an account's password from the keychain; the account then asks at each send. */
  async deletePassword(nameOrId: string): Promise<boolean> {
    const account = this.store.find(nameOrId);
    const deleted = await this.credentials.delete(account.id);
    if (account.passwordStorage !== 'ask') await this.store.update({ ...account, passwordStorage: 'ask' });
    return deleted;
  }

  /** Removes an account and its secret. If the keychain cannot be reached, nothing is removed (no orphaned secret). */
  async remove(nameOrId: string): Promise<Account> {
    const account = this.store.find(nameOrId);
    if (account.passwordStorage === 'keychain') await this.credentials.delete(account.id);
    await this.store.remove(account.id);
    return account;
  }

  /** The password for a send, read in main at send time; `typed` is the one given at the prompt (ask accounts). */
  async passwordForSend(account: Account, typed: string | undefined): Promise<string> {
    if (typed) return typed;
    if (account.passwordStorage === 'ask') throw new HoplightError('EINPUT', `password: account "${account.name}" asks for its password at each send, and none was given.`, { field: 'password', hintId: 'password-ask' });
    const stored = await this.credentials.get(account.id);
    if (!stored) {
      throw new HoplightError('ECONFIG', `No password for account "${account.name}" is stored in the keychain.`, { hint: 'Store the password for this account, or give it for this send.', hintId: 'password-missing' });
    }
    return stored;
  }

  private async view(account: Account): Promise<AccountView> {
    if (account.passwordStorage === 'ask') return { ...account, passwordStored: false };
    try {
      return { ...account, passwordStored: (await this.credentials.get(account.id)) !== undefined };
    } catch {
      return { ...account, passwordStored: 'unknown' };
    }
  }
}
