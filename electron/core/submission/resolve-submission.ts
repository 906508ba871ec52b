import type { Account } from '../../../shared/types/account.js';
import type { OutgoingMessage, SendRequest, SubmissionServer } from '../../../shared/types/message.js';
import type { SecurityChoice } from '../../../shared/types/security.js';
import { inputError } from '../errors.js';
import { fromOf, serverOf } from '../accounts/account-fields.js';

/** What the user asked for: an account (or none), settings given for this send, the message and the choice. */
export interface SubmissionIntent {
  readonly account?: Account;
  /** Settings given for this send; with an account they override its own, field by field. */
  readonly server?: Partial<SubmissionServer>;
  /** An empty `from` takes the account's. */
  readonly message: OutgoingMessage;
  /** When absent: the account's default choice, else "default". */
  readonly securityChoice?: SecurityChoice;
}

/**
 * Turns an intent into the one request the engine sends, with the single override rule the CLI and the app share:
 * settings given for this send win over the account's, the account's default security choice applies when none
 * is given, and its From when the message has none. Throws EINPUT naming what is missing.
 */
export function resolveSubmission(intent: SubmissionIntent): SendRequest {
  const base: Partial<SubmissionServer> = intent.account ? serverOf(intent.account) : {};
  const given = Object.fromEntries(Object.entries(intent.server ?? {}).filter(([, v]) => v !== undefined)) as Partial<SubmissionServer>;
  const merged = { ...base, ...given };
  if (merged.host === undefined) throw inputError('host', 'the server is needed (or an account).');
  if (merged.port === undefined) throw inputError('port', 'the port is needed (or an account).');
  if (merged.security === undefined) throw inputError('security', 'the connection security is needed (or an account).');
  const from = intent.message.from || (intent.account ? fromOf(intent.account) : '');
  if (!from) throw inputError('from', 'the sender is needed (or an account).');
  return {
    server: merged as SubmissionServer,
    message: { ...intent.message, from },
    security: intent.securityChoice ?? intent.account?.defaultSecurity ?? 'default',
  };
}
