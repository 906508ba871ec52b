import type { ErrorData, HintId } from '../../shared/types/errors.js';

/** Advice worded for the command line: the flags that act on it. */
const CLI_HINTS: Readonly<Record<HintId, string>> = {
  deadline: 'The server is very slow or stalling. Try again later; the limit can be changed with --deadline SECONDS.',
  'implicit-tls-port': 'If this is an implicit-TLS port (usually 465), use --security implicit.',
  'starttls-port': 'Port 587 usually expects STARTTLS (--security starttls); port 465 expects implicit TLS (--security implicit).',
  resolver: 'Pass a resolver with --resolver IP[:PORT].',
  'password-missing': 'Store one with "hoplight accounts password NAME --password-stdin", or give it with --password-stdin.',
  'keychain-unavailable': 'Unlock or start your keychain (on Linux, a Secret Service such as GNOME Keyring or KWallet), or add the account with --ask-password.',
  'password-ask': 'Give it with --password-stdin.',
  'trust-ca-or-pin': 'If the server uses a private CA, trust it with --ca FILE. For a self-signed certificate, pin its SHA-256 fingerprint with --pin after confirming it with the administrator.',
};

/** The hint of an error as the CLI shows it. */
export function cliHint(error: Pick<ErrorData, 'hint' | 'hintId'>): string | undefined {
  return error.hintId ? CLI_HINTS[error.hintId] : error.hint;
}
