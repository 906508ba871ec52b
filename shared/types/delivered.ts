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
  /**
   * Whose word this header is, when the sender's provider is known: `sender-side` (below the provider's first hop:
   * written before the message reached the provider, by whoever sent it, so it can be forged), `provider` (added
   * by the user's own provider), `after-provider` (added by a server after it). Absent when the provider is unknown.
   */
  readonly trust?: HopTrust;
  /** The header as received, unfolded. */
  readonly raw: string;
}

export type HopTrust = 'sender-side' | 'provider' | 'after-provider';

/** One result of an Authentication-Results (RFC 8601) or ARC-Authentication-Results (RFC 8617) field, as stated. */
export interface StatedResult {
  /** spf, dkim, dmarc, arc, auth, iprev, … */
  readonly method: string;
  /** pass, fail, softfail, neutral, none, temperror, permerror, policy, … */
  readonly result: string;
  readonly reason?: string;
  /** ptype.property=value pairs: smtp.mailfrom, header.d, header.from, header.i, … */
  readonly properties: Readonly<Record<string, string>>;
}

/** One Authentication-Results or ARC-Authentication-Results field: what a server says it checked. */
export interface StatedAuthentication {
  readonly field: 'Authentication-Results' | 'ARC-Authentication-Results';
  /** The server that wrote it (RFC 8601's authserv-id). */
  readonly authservId: string;
  /** ARC's instance number (i=). */
  readonly instance?: number;
  readonly results: readonly StatedResult[];
  /**
   * The hop whose Received field sits right below this field (oldest-first index): it was added by that hop's
   * server or a later one. -1 when it sits below every Received field.
   */
  readonly above: number;
  /** Whether that hop is one the reader can trust (`provider` or `after-provider`), when the provider is known. */
  readonly trust?: HopTrust;
  /** Set when the field could not be read as RFC 8601 says. */
  readonly problem?: string;
  readonly raw: string;
}

/** What Hoplight's own check of a signature found: verified now, against the key the domain publishes today. */
export type VerifiedState = 'pass' | 'fail' | 'could-not-check';

export interface VerifiedSignature {
  /** The signing domain (d=) and selector (s=). */
  readonly domain: string;
  readonly selector: string;
  readonly state: VerifiedState;
  /** Whether d= aligns with the From domain (DMARC's relaxed alignment). */
  readonly aligned: boolean;
  /** Why, in words: "signature valid", "body changed since signing", "key not published", "DNS: …". */
  readonly detail: string;
}

/** DKIM signatures and the ARC chain checked by Hoplight (mailauth), apart from what the headers state. */
export interface VerifiedAuthentication {
  readonly checkedAt: string;
  /** The resolver the keys were looked up with (IP:port). */
  readonly resolver: string;
  /** One per DKIM-Signature; empty when the message carries none. */
  readonly dkim: readonly VerifiedSignature[];
  /** The ARC chain: `none` when there is none. */
  readonly arc: { readonly state: VerifiedState | 'none'; readonly instances: number; readonly detail: string };
  /**
   * DMARC can be confirmed only through an aligned DKIM signature verified now (`pass`); SPF depends on the
   * sending address at delivery time and cannot be re-checked afterwards, so otherwise it is `not-rechecked`.
   */
  readonly dmarc: { readonly state: 'pass' | 'not-rechecked'; readonly fromDomain?: string; readonly detail: string };
}

/** The user's provider, when known: the account the message was sent with. */
export interface KnownProvider {
  /** The account's name, or the address it sends as. */
  readonly account: string;
  /** Host names matched against each hop's `by` (the submission server, and its organisational domain). */
  readonly names: readonly string[];
  /** The oldest hop the provider recorded (oldest-first index); absent when no hop matches (said as such). */
  readonly firstHop?: number;
}

/** A delivered message's path and what it says about REQUIRETLS and authentication. */
export interface DeliveredPath {
  readonly messageId?: string;
  readonly subject?: string;
  /** Oldest first: hops[0] is the first server the message met. */
  readonly hops: readonly DeliveredHop[];
  /** Postfix 3.11's `Require-TLS-ESMTP: yes`, added when it relays a message received with REQUIRETLS. */
  readonly requireTlsEsmtp: boolean;
  /** The hop whose Received field sits right below Require-TLS-ESMTP: that hop's server or a later one added it. */
  readonly requireTlsEsmtpAbove?: number;
  /** RFC 8689 §5: the sender chose "TLS optional". */
  readonly tlsRequiredNo: boolean;
  /** Authentication-Results and ARC-Authentication-Results, as the servers state them, newest first. */
  readonly authentication: readonly StatedAuthentication[];
  /** DKIM and ARC as Hoplight verified them; absent when not checked (offline, or --no-verify). */
  readonly verified?: VerifiedAuthentication;
  /** Why verification did not run, when it was asked for and could not (no resolver configured…). */
  readonly verifyProblem?: string;
  /** The sender's provider, when the account is known; it decides each hop's `trust`. */
  readonly provider?: KnownProvider;
  /** How many Received fields were left unread beyond the bound. */
  readonly truncated: number;
}
