import { AsyncEntry, findCredentialsAsync } from '@napi-rs/keyring';
import { KEYCHAIN_SERVICE, keychainUnavailable, type CredentialStore } from '../core/accounts/credential-store.js';
import { HoplightError } from '../core/errors.js';

/**
 * The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, the Secret Service on
 * Linux. Chosen over keytar (archived upstream; its prebuilt binaries need a rebuild per Electron version) because
 * it is maintained, keytar-compatible, and ships N-API binaries that load in Node and in any Electron.
 * Secrets are filed under the service "hoplight", keyed by account id.
 */
export class KeyringCredentialStore implements CredentialStore {
  private reachable?: Promise<void>;

  async set(accountId: string, password: string): Promise<void> {
    await guard(() => new AsyncEntry(KEYCHAIN_SERVICE, accountId).setPassword(password));
  }

  async get(accountId: string): Promise<string | undefined> {
    await this.ensureReachable();
    return (await guard(() => new AsyncEntry(KEYCHAIN_SERVICE, accountId).getPassword())) ?? undefined;
  }

  async delete(accountId: string): Promise<boolean> {
    await this.ensureReachable();
    return guard(() => new AsyncEntry(KEYCHAIN_SERVICE, accountId).deleteCredential());
  }

  /**
   * On Linux the library answers "no password" (null, false) when the Secret Service cannot be reached at all,
   * which would turn "no keychain" into "no password stored". A search under a service name that holds nothing
   * fails loudly instead, without reading any secret.
   */
  private ensureReachable(): Promise<void> {
    this.reachable ??= guard(async () => {
      await findCredentialsAsync(`${KEYCHAIN_SERVICE}-availability-check`);
    });
    return this.reachable;
  }
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    // The library's words for "no entry" are not a failure of the keychain itself.
    if (/no (matching )?entry|not found/i.test(message)) return undefined as T;
    if (error instanceof HoplightError) throw error;
    throw keychainUnavailable(message.replace(/\s+/g, ' ').slice(0, 200));
  }
}
