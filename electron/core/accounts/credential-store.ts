import { HoplightError } from '../errors.js';

/** The OS keychain behind an interface: the engine reads a password only in main, at send time. */
export interface CredentialStore {
  /** Stores or replaces the password for an account id. */
  set(accountId: string, password: string): Promise<void>;
  /** The password, or undefined when none is stored. */
  get(accountId: string): Promise<string | undefined>;
  /** Deletes the password; true when one was there. */
  delete(accountId: string): Promise<boolean>;
}

/** The keychain service name every Hoplight secret lives under. */
export const KEYCHAIN_SERVICE = 'hoplight';

/** The error for "there is no usable keychain here": say exactly that, and never fall back to a file. */
export function keychainUnavailable(reason: string): HoplightError {
  return new HoplightError('ECONFIG', `No keychain is available on this computer (${reason}). Hoplight stores passwords only in the operating system's keychain and will not keep this one anywhere else.`, {
    hint: 'Unlock or start your keychain (on Linux, a Secret Service such as GNOME Keyring or KWallet), or choose to be asked for the password at each send.',
    hintId: 'keychain-unavailable',
  });
}

/** An in-memory store for unit tests and for previews; never used to persist anything. */
export class MemoryCredentialStore implements CredentialStore {
  private readonly secrets = new Map<string, string>();
  async set(accountId: string, password: string): Promise<void> {
    this.secrets.set(accountId, password);
  }
  async get(accountId: string): Promise<string | undefined> {
    return this.secrets.get(accountId);
  }
  async delete(accountId: string): Promise<boolean> {
    return this.secrets.delete(accountId);
  }
}
