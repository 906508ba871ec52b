import type { ConnectionSecurity, SecurityChoice } from './security.js';
import type { ErrorData, SmtpReplyData } from './errors.js';

/** One line of the SMTP conversation. Secrets are redacted and the message body is never recorded. */
export interface TranscriptEntry {
  /** Milliseconds since the connection attempt started. */
  readonly atMs: number;
  /** `client`, `server`, or `info` (something that happened on the connection, e.g. the TLS handshake). */
  readonly from: 'client' | 'server' | 'info';
  readonly line: string;
}

/** The X.509 certificate the server presented, as facts. */
export interface CertificateFacts {
  readonly subject: string;
  readonly subjectAltNames: readonly string[];
  readonly issuer: string;
  readonly serialNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly fingerprintSha256: string;
  /** e.g. `rsa 2048`, `ec prime256v1`. */
  readonly publicKey: string;
}

/** How the certificate chain was judged. */
export interface CertificateTrust {
  /** The chain verified against the system roots plus the account's extra CA, if any. */
  readonly chainTrusted: boolean;
  /** OpenSSL's reason when the chain did not verify (e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`). */
  readonly chainError?: string;
  /** The name the certificate was checked against (RFC 6125). */
  readonly checkedName: string;
  readonly hostnameMatched: boolean;
  /** Trust came from the account's pinned SHA-256 fingerprint rather than from a CA. */
  readonly pinned: boolean;
  /** Whether an extra CA file was trusted for this account. */
  readonly extraCaUsed: boolean;
}

/** What the TLS layer of the carrying session negotiated. */
export interface TlsFacts {
  readonly protocol: string;
  /**
   * The session resumed an earlier one (a ticket kept in memory): no certificate was sent on this handshake, and
   * `certificate` is the one verified when that session began, under the same trust.
   */
  readonly resumed?: boolean;
  readonly cipher: string;
  readonly cipherStandardName?: string;
  /** Key exchange group, e.g. `X25519`, when Node reports it. */
  readonly keyExchange?: string;
  readonly certificate: CertificateFacts;
  /** Issuers above the leaf, as presented or built, leaf excluded. */
  readonly chain: readonly CertificateFacts[];
  readonly trust: CertificateTrust;
}

/** RFC 8689 REQUIRETLS on this session. */
export interface RequireTlsFacts {
  /** The server listed REQUIRETLS in its EHLO reply after TLS. */
  readonly advertised: boolean;
  /** We sent `MAIL FROM:<…> REQUIRETLS`. */
  readonly requested: boolean;
  /** The server accepted that MAIL FROM (and the message). */
  readonly accepted: boolean;
}

/** Wall-clock milliseconds per phase of the session. */
export interface PhaseTimings {
  readonly connectMs?: number;
  readonly greetingMs?: number;
  readonly tlsMs?: number;
  readonly authMs?: number;
  readonly transferMs?: number;
  readonly totalMs: number;
  /** The overall limit that applied to the whole send. */
  readonly deadlineMs?: number;
}

/** A recipient the server refused, with its words. */
export interface RejectedRecipient {
  readonly address: string;
  readonly reply: SmtpReplyData;
}

/** Facts about the submission hop (client → submission server), from the very session that carried the message. */
export interface SubmissionHopReport {
  readonly host: string;
  readonly port: number;
  readonly transport: 'implicit-tls' | 'starttls';
  readonly remoteAddress?: string;
  readonly greeting?: SmtpReplyData;
  readonly tls?: TlsFacts;
  /** When Hoplight refused the server's TLS: what it presented and why it was not trusted (`trust`). */
  readonly refusedTls?: TlsFacts;
  /** EHLO keywords before TLS (STARTTLS only; implicit TLS has no cleartext phase). */
  readonly capabilitiesBeforeTls?: readonly string[];
  readonly capabilitiesAfterTls?: readonly string[];
  readonly requireTls: RequireTlsFacts;
  readonly authMechanism?: string;
  /**
   * Round trips this session spent, from the TCP handshake to the server's verdict (TCP, TLS, and each wait for an
   * SMTP reply after writing); undefined when no connection was made.
   */
  readonly roundTrips?: number;
  /** The round-trip savings used on this session, in the order they apply. */
  readonly shortcuts?: readonly SubmissionShortcut[];
  readonly finalReply?: SmtpReplyData;
  readonly queueId?: string;
  readonly timings: PhaseTimings;
  readonly transcript: readonly TranscriptEntry[];
}

/**
 * A saving of round trips: `pipelining` (RFC 2920: MAIL, RCPT… and DATA in one flight), `pipelined-auth` (RFC 4954
 * §4: AUTH PLAIN with its initial response in that flight too; the content waits for the login's 235),
 * `early-pipelining` (PIPECONNECT: commands sent before the server's reply, from its cached EHLO), `chunking`
 * (RFC 3030: the content as one `BDAT n LAST` chunk, without DATA, its 354 or dot-stuffing), `content-in-envelope`
 * (that chunk in the envelope's own flight: only for one recipient on a session without a login, where a refused
 * envelope cannot leave the message half-delivered).
 */
export type SubmissionShortcut = 'pipelining' | 'pipelined-auth' | 'early-pipelining' | 'chunking' | 'content-in-envelope';

/** What the chosen security mode means beyond hop 1. */
export interface RelayGuarantee {
  readonly choice: SecurityChoice;
  readonly summary: string;
  readonly details: readonly string[];
}

/** The whole answer to "how was my message protected?". Plain data, JSON as is. */
/** The steps of a send, in order, as progress reports them. */
export type SendStep = 'connecting' | 'tls' | 'authenticating' | 'sending' | 'awaiting-verdict' | 'finished';

/**
 * What became of the message at the submission server:
 * - `accepted`: a 2xx final reply; `rejected`: the server refused it; `not-sent`: Hoplight stopped before
 *   transmitting any of it (a security requirement, a local limit); `failed`: the connection or login failed
 *   before the end of the data, so nothing was delivered; `cancelled`: the user stopped it before the end of the
 *   data, so nothing was delivered;
 * - `uncertain`: the whole message and its end-of-data were written but no verdict came back (lost connection,
 *   timeout, cancel while waiting): it may have been delivered. Never re-send it without asking.
 */
export type SubmissionOutcome = 'accepted' | 'not-sent' | 'rejected' | 'failed' | 'cancelled' | 'uncertain';

/** The whole answer to "how was my message protected?". Plain data, JSON as is. */
export interface SubmissionReport {
  /** 2 added the outcomes `cancelled` and `uncertain`. */
  readonly reportVersion: 2;
  readonly outcome: SubmissionOutcome;
  readonly securityChoice: SecurityChoice;
  readonly connectionSecurity: ConnectionSecurity;
  readonly startedAt: string;
  readonly message: {
    readonly messageId?: string;
    readonly sizeBytes?: number;
    readonly envelopeFrom?: string;
    readonly recipients: readonly string[];
    readonly acceptedRecipients: readonly string[];
    readonly rejectedRecipients: readonly RejectedRecipient[];
    /** Whether the message carried the `TLS-Required: No` header (RFC 8689 §5). */
    readonly tlsRequiredNoHeader: boolean;
  };
  readonly submissionHop: SubmissionHopReport;
  readonly relays: RelayGuarantee;
  readonly error?: ErrorData;
}
