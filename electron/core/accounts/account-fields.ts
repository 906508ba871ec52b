import type { Account } from '../../../shared/types/account.js';
import type { SubmissionServer } from '../../../shared/types/message.js';

/** The submission settings of an account, as the engine takes them. */
export function serverOf(account: Account): SubmissionServer {
  return {
    host: account.host,
    port: account.port,
    security: account.security,
    user: account.user,
    authMethod: account.authMethod,
    ...(account.caFile !== undefined ? { caFile: account.caFile } : {}),
    ...(account.pinSha256 !== undefined ? { pinSha256: account.pinSha256 } : {}),
  };
}

/** The From header of an account. */
export function fromOf(account: Account): string {
  return account.fromName ? `${JSON.stringify(account.fromName)} <${account.fromAddress}>` : account.fromAddress;
}
