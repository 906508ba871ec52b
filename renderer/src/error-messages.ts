import type { ErrorCode } from '../../shared/types/errors';

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
