/**
 * One hop of a delivered message's path, from one Received header field, oldest first. Every transport claim is
 * what the header states: `tls` is null when it states nothing, never guessed.
 */
export interface DeliveredHop {
  readonly index: number;
  readonly from?: string;
  readonly fromAddress?: string;
  readonly by?: string;
  /** The `with` protocol as written (ESMTPS, esmtpsa, LMTP, mapi…). */
  readonly protocol?: string;
  readonly tls: boolean | null;
  /** e.g. "1.3", "1.2". */
  readonly version?: string;
  readonly cipher?: string;
  readonly authenticated: boolean;
  /** Inside one host or provider (LMTP, mapi, localhost, internal hops): no transport claim is made. */
  readonly local: boolean;
  /** The hop recorded a REQUIRETLS request (Exim's esmtpS/esmtpSA, mox's "(requiretls)"). */
  readonly requiretls: boolean;
  /** Whether the peer's certificate was verified, where the header says (OpenSSMTPD, sendmail); else null. */
  readonly certVerified: boolean | null;
  readonly date?: string;
  /** Seconds since the previous hop; negative means time went backwards (shown as suspicious). */
  readonly delaySeconds?: number;
  /** What makes this hop untrustworthy or unreadable, when anything does. */
  readonly problems: readonly string[];
  /** The header as received, unfolded. */
  readonly raw: string;
}

/** A delivered message's path and what it says about REQUIRETLS and authentication. */
export interface DeliveredPath {
  readonly messageId?: string;
  readonly subject?: string;
  /** Oldest first: hops[0] is the first server the message met. */
  readonly hops: readonly DeliveredHop[];
  /** Postfix 3.11's `Require-TLS-ESMTP: yes`, added when it relays a message received with REQUIRETLS. */
  readonly requireTlsEsmtp: boolean;
  /** RFC 8689 §5: the sender chose "TLS optional". */
  readonly tlsRequiredNo: boolean;
  /** Authentication-Results and ARC-Authentication-Results as stated (not verified here). */
  readonly authenticationResults: readonly string[];
  /** How many Received fields were left unread beyond the bound. */
  readonly truncated: number;
}
