import type { ErrorData } from '../../shared/types/errors.js';

/** The CLI's exit codes, documented in README.md. */
export const EXIT = {
  accepted: 0,
  internal: 1,
  badInput: 2,
  securityRefused: 3,
  serverRejected: 4,
  connectionFailed: 5,
} as const;

/** Maps an error to the exit code scripts rely on. */
export function exitCodeFor(error: ErrorData | undefined): number {
  if (!error) return EXIT.accepted;
  switch (error.code) {
    case 'EINPUT':
    case 'ECONFIG':
      return EXIT.badInput;
    case 'ESTARTTLS':
      return EXIT.securityRefused;
    case 'EREQUIRETLS':
      // Refused by us before MAIL FROM: nothing was transmitted. Refused by the server after MAIL FROM: a rejection.
      return error.messageTransmitted ? EXIT.serverRejected : EXIT.securityRefused;
    case 'EENVELOPE':
    case 'EMESSAGE':
      return EXIT.serverRejected;
    case 'ECONNECTION':
    case 'ETIMEDOUT':
    case 'ETLS':
    case 'EAUTH':
    case 'ECANCELLED':
      return EXIT.connectionFailed;
    case 'EINTERNAL':
      return EXIT.internal;
  }
}
