import type { AuthMethod, ConnectionSecurity, SecurityChoice } from './security.js';

/** Where and how to submit: the non-secret part of an account. */
export interface SubmissionServer {
  readonly host: string;
  readonly port: number;
  readonly security: ConnectionSecurity;
  /** User name for AUTH; absent means "do not authenticate". */
  readonly user?: string;
  readonly authMethod?: AuthMethod;
  /** Path to an extra CA certificate (PEM) trusted for this server, besides the system roots. */
  readonly caFile?: string;
  /** SHA-256 fingerprint of the server's own certificate, hex, colons optional. */
  readonly pinSha256?: string;
  /** The name the certificate must carry, when it differs from `host` (e.g. connecting by IP). */
  readonly tlsName?: string;
}

/** A file to attach. */
export interface AttachmentInput {
  readonly path: string;
  /** Name shown to the recipient; defaults to the file's base name. */
  readonly filename?: string;
}

/** The message as the sender composed it. Addresses may carry display names (`Ann <ann@example.org>`). */
export interface OutgoingMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly attachments?: readonly AttachmentInput[];
}

/** One submission: server, message and the sender's security choice. The password travels separately, in main only. */
export interface SendRequest {
  readonly server: SubmissionServer;
  readonly message: OutgoingMessage;
  readonly security: SecurityChoice;
}
