import type { ErrorCode, ErrorData, HintId } from '../../shared/types/errors';

/** The one table that turns error codes into words for people. */
export const ERROR_TITLES: Readonly<Record<ErrorCode, string>> = {
  EINPUT: 'Please check the form',
  ECONNECTION: 'Could not reach the server',
  ETIMEDOUT: 'The server did not answer in time',
  ESTARTTLS: 'Not sent: the server cannot encrypt the connection',
  ETLS: 'Not sent: the server’s identity could not be verified',
  EAUTH: 'Login failed',
  EREQUIRETLS: 'Not sent: “Require TLS on every hop” cannot be honoured',
  EENVELOPE: 'The server refused the sender or a recipient',
  EMESSAGE: 'The server refused the message',
  ECONFIG: 'A setting on this computer needs attention',
  ECANCELLED: 'Cancelled',
  EINTERNAL: 'Something went wrong inside Hoplight',
};

/** Advice worded for the app: what to change, and where. */
const APP_HINTS: Readonly<Record<HintId, string>> = {
  deadline: 'The server is very slow or stalling. Try again later.',
  'implicit-tls-port': 'If this is an implicit-TLS port (usually 465), set the account’s connection to implicit TLS.',
  'starttls-port': 'Port 587 usually expects STARTTLS, port 465 implicit TLS: check the account’s connection setting.',
  resolver: 'This computer has no DNS resolver configured; check your network settings.',
  'password-missing': 'Store the password for this account, or choose to be asked for it at each send.',
  'keychain-unavailable': 'Unlock your system keychain, or choose to be asked for the password at each send.',
  'password-ask': 'Type it in the password field: it is used for this message only and never stored.',
  'trust-ca-or-pin': 'If the server uses a private CA, add that CA to the account. For a self-signed certificate, pin its fingerprint in the account after confirming it with the administrator.',
};

/** The hint of an error as the app shows it. */
export function appHint(error: Pick<ErrorData, 'hint' | 'hintId'>): string | undefined {
  return error.hintId ? APP_HINTS[error.hintId] : error.hint;
}
