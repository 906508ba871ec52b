import { ACCOUNT_CHANNELS } from '../../../shared/ipc/channels/accounts.js';
import type { Account } from '../../../shared/types/account.js';
import { discoverSubmission } from '../../core/accounts/discover.js';
import { testAccount } from '../../core/accounts/test-account.js';
import { createResolver, parseResolverAddress, systemResolverAddress } from '../../core/dns/dns-client.js';
import type { HandlerContext, Implementations } from './context.js';

/** Accounts; passwords go to the keychain and never come back. */
export function accountHandlers(ctx: HandlerContext): Implementations<typeof ACCOUNT_CHANNELS> {
  const { accounts } = ctx.deps;
  return {
    'accounts:list': () => accounts.list(),
    'accounts:add': async ({ account, password }) => accounts.show((await accounts.add(account, password)).id),
    'accounts:update': async (account) => accounts.show((await accounts.store.update(account as Account)).id),
    'accounts:remove': async ({ id }) => {
      await accounts.remove(id);
      return { removed: true as const };
    },
    'accounts:set-password': async ({ id, password }) => {
      await accounts.setPassword(id, password);
      return { stored: true as const };
    },
    'accounts:delete-password': async ({ id }) => ({ deleted: await accounts.deletePassword(id) }),
    'accounts:has-password': async ({ id }) => ({ stored: (await accounts.show(id)).passwordStored }),
    'accounts:discover': ({ address, resolver }) => discoverSubmission(address, { resolver: createResolver(resolver ? parseResolverAddress(resolver) : systemResolverAddress()) }),
    'accounts:test': async ({ id, password }) => {
      const account = accounts.store.find(id);
      return testAccount(account, await accounts.passwordForSend(account, password));
    },
  };
}
