/**
 * Error codes that cross the IPC boundary and reach the CLI. Names follow nodemailer's where they fit.
 * Documented for users in README.md ("Errors and exit codes").
 */
export type ErrorCode =
  /** Bad input, found before any connection was made. `field` names the culprit. */
  | 'EINPUT'
  /** TCP connection failed, closed early, or the server spoke something that is not SMTP. */
  | 'ECONNECTION'
  /** The server did not answer in time. */
  | 'ETIMEDOUT'
  /** The server does not offer STARTTLS (or refused it): hop 1 cannot be protected, so nothing was sent. */
  | 'ESTARTTLS'
  /** The TLS handshake failed or the certificate could not be verified. */
  | 'ETLS'
  /** Authentication failed or could not be attempted safely. */
  | 'EAUTH'
  /** RFC 8689 REQUIRETLS was chosen but the server cannot honour it; or it rejected a REQUIRETLS message. */
  | 'EREQUIRETLS'
  /** The server refused the sender or a recipient, or cannot take the envelope as given. */
  | 'EENVELOPE'
  /** The server refused the message itself (size, content, policy). */
  | 'EMESSAGE'
  /** A settings or keychain problem on this machine. */
  | 'ECONFIG'
  /** The user cancelled the operation. */
  | 'ECANCELLED'
  /** A bug in Hoplight, not a server or network failure. */
  | 'EINTERNAL';

/** An SMTP reply as the server sent it. */
export interface SmtpReplyData {
  readonly code: number;
  readonly enhancedStatus?: string;
  readonly lines: readonly string[];
}

/** Advice that the CLI (electron/cli/hints.ts) and the app (renderer/src/error-messages.ts) word differently. */
export type HintId = 'deadline' | 'implicit-tls-port' | 'starttls-port' | 'resolver' | 'password-missing' | 'keychain-unavailable' | 'trust-ca-or-pin' | 'password-ask';

/** An error as plain data, safe to serialise, show and log (it never holds a secret). */
export interface ErrorData {
  readonly code: ErrorCode;
  readonly message: string;
  /** For EINPUT: the field that was rejected (`to`, `subject`, `attachments[0]`, …). */
  readonly field?: string;
  /** The server's own reply, when the server said something. */
  readonly reply?: SmtpReplyData;
  /** What the user can do about it, in plain words that fit every surface. */
  readonly hint?: string;
  /** Names advice that each surface words its own way (a CLI flag, a setting in the app); see HINT_IDS. */
  readonly hintId?: HintId;
  /** Whether any byte of the message (envelope or content) reached the server. */
  readonly messageTransmitted: boolean;
}

/** The result of every IPC call: errors cross as data because Electron's invoke drops error codes. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorData };
