import type { AccountTestResult, AccountView, DiscoveryResult } from '../../types/account.js';
import { channel } from '../channel.js';
import { accountAddSchema, accountDiscoverSchema, accountPasswordSchema, accountRefSchema, accountTestSchema, accountUpdateSchema, emptySchema } from '../schemas.js';

/** Accounts and their keychain passwords (write-only: no channel ever returns one). */
export const ACCOUNT_CHANNELS = {
  'accounts:list': channel<AccountView[]>()(emptySchema),
  /** Add an account; its password (if any) goes to the keychain, never to a file. */
  'accounts:add': channel<AccountView>()(accountAddSchema),
  'accounts:update': channel<AccountView>()(accountUpdateSchema),
  /** Remove an account and its keychain secret. */
  'accounts:remove': channel<{ removed: true }>()(accountRefSchema),
  /** Set or replace a password (write-only). */
  'accounts:set-password': channel<{ stored: true }>()(accountPasswordSchema),
  'accounts:delete-password': channel<{ deleted: boolean }>()(accountRefSchema),
  /** Whether a password is stored; there is no channel that returns one. */
  'accounts:has-password': channel<{ stored: boolean | 'unknown' }>()(accountRefSchema),
  'accounts:discover': channel<DiscoveryResult>()(accountDiscoverSchema),
  /** Connect, TLS, AUTH and the posture check, without sending mail. */
  'accounts:test': channel<AccountTestResult>()(accountTestSchema),
} as const;
