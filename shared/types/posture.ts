import type { CertificateFacts } from './report.js';

/**
 * One check, as an attempt: it completed with a result, failed with a reason, or was not run (and why).
 * "Could not check" is never rendered as secure nor as insecure.
 */
export type Attempt<T> =
  | { readonly status: 'completed'; readonly result: T }
  | { readonly status: 'error'; readonly reason: string }
  | { readonly status: 'not-run'; readonly reason: string };

/** How bad a finding is; `ok` marks something good worth saying. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info' | 'ok';

/** A finding with a stable id (documented in README.md, "Findings"). */
export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly detail?: string;
  /** The host (and port) or domain the finding is about. */
  readonly subject: string;
}

/** The TLS protocol versions probed one by one. */
export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** One version probe: whether the server accepted a handshake limited to that version, and the cipher. */
export interface TlsVersionResult {
  readonly accepted: boolean;
  readonly cipher?: string;
  /** Why it was not accepted (the alert or error). */
  readonly detail?: string;
}

/** The certificate as judged for the name checked. */
export interface CertificateCheck {
  readonly leaf: CertificateFacts;
  readonly chain: readonly CertificateFacts[];
  readonly signatureAlgorithm: string;
  readonly chainTrusted: boolean;
  readonly chainError?: string;
  readonly checkedName: string;
  readonly hostnameMatched: boolean;
  readonly daysUntilExpiry: number;
  readonly expired: boolean;
  readonly notYetValid: boolean;
  /** The certificates as presented, DER in base64, leaf first (for DANE matching and for the record). */
  readonly derBase64: readonly string[];
}

/** OCSP stapling on the TLS session (RFC 6066 status_request). */
export interface OcspCheck {
  readonly requested: true;
  readonly stapled: boolean;
  readonly status?: 'good' | 'revoked' | 'unknown';
  readonly producedAt?: string;
  readonly thisUpdate?: string;
  readonly nextUpdate?: string;
  readonly revokedAt?: string;
  /** Whether the response's signature verified against the certificate's issuer (or a delegated responder it signed). */
  readonly signatureValid?: boolean;
  readonly detail?: string;
}

/** SMTP extensions as advertised, with the security-relevant comparisons between before and after TLS. */
export interface ExtensionsCheck {
  readonly requireTlsAfterTls: boolean;
  readonly requireTlsBeforeTls: boolean;
  readonly authBeforeTls: readonly string[];
  /**
   * Whether the server would take credentials before TLS, learned without sending any (see auth.cleartext-accepted);
   * asked whether or not AUTH is advertised before TLS; undefined for implicit TLS or when the probe could not ask.
   */
  readonly authBeforeTlsProbe?: { readonly accepted: boolean; readonly mechanism: string; readonly reply: string };
  readonly authAfterTls: readonly string[];
  readonly pipelining: boolean;
  /** Early pipelining (PIPECONNECT, formerly X_PIPE_CONNECT). */
  readonly pipeconnect: boolean;
  readonly chunking: boolean;
  readonly smtputf8: boolean;
  readonly eightBitMime: boolean;
  readonly dsn: boolean;
  readonly size?: number;
  readonly enhancedStatusCodes: boolean;
}

/** Everything the server check found about one host and port. */
export interface ServerCheckResult {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'implicit';
  readonly checkedName: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly connection: Attempt<{ readonly remoteAddress?: string; readonly greeting: string }>;
  readonly ehloBeforeTls: Attempt<{ readonly capabilities: readonly string[] }>;
  readonly starttls: Attempt<{ readonly offered: boolean; readonly accepted: boolean; readonly reply?: string }>;
  readonly tls: Attempt<{ readonly protocol: string; readonly cipher: string; readonly keyExchange?: string }>;
  readonly ehloAfterTls: Attempt<{ readonly capabilities: readonly string[]; readonly added: readonly string[]; readonly removed: readonly string[] }>;
  readonly tlsVersions: Readonly<Record<TlsVersionName, Attempt<TlsVersionResult>>>;
  readonly certificate: Attempt<CertificateCheck>;
  readonly ocsp: Attempt<OcspCheck>;
  readonly extensions: Attempt<ExtensionsCheck>;
  readonly starttlsInjection: Attempt<{ readonly vulnerable: boolean; readonly detail: string }>;
  readonly findings: readonly Finding[];
}

/** A TLSA record and how it compared with what the MX presented. */
export interface TlsaMatchResult {
  readonly usage: number;
  readonly selector: number;
  readonly matchingType: number;
  readonly data: string;
  readonly matched: boolean;
  readonly usable: boolean;
  readonly detail: string;
}

/** One MX host of a domain, checked. */
export interface MxHostCheck {
  readonly name: string;
  readonly preference: number;
  readonly addresses: Attempt<{ readonly addresses: readonly string[]; readonly authenticated: boolean }>;
  /** `unreachable` is its own state (outbound port 25 is often blocked), never "insecure". */
  readonly reachability: 'reachable' | 'unreachable' | 'not-checked';
  /** The check of the first address (IPv4 first); every address's own check is in `addressChecks`. */
  readonly server: Attempt<ServerCheckResult>;
  /** One check per address (A and AAAA, at most MAX_MX_ADDRESSES), when the host has more than one. */
  readonly addressChecks?: readonly { readonly address: string; readonly server: Attempt<ServerCheckResult> }[];
  readonly mtaStsMatch: Attempt<{ readonly matched: boolean; readonly pattern?: string }>;
  readonly dane: Attempt<{ readonly authenticated: boolean; readonly records: readonly TlsaMatchResult[]; readonly valid: boolean }>;
  /** RFC 8689 §4.2.1 applied to this host: could a compliant relay hand it a REQUIRETLS message? */
  readonly requireTls: { readonly deliverable: boolean | 'unknown'; readonly reasons: readonly string[] };
}

/** The published MTA-STS policy (RFC 8461). */
export interface MtaStsPolicy {
  readonly id: string;
  readonly mode: 'enforce' | 'testing' | 'none';
  readonly maxAge: number;
  readonly mx: readonly string[];
}

/**
 * How a sending relay behaves, as far as a forecast can tell them apart. Relays differ in how they authenticate the
 * next hop, and a REQUIRETLS message is only as safe as the relay's own setup (Postfix 3.11 is the reference):
 * - `rfc8689`: what RFC 8689 requires of a compliant relay: MX found securely (DNSSEC or MTA-STS), DANE first
 *   (RFC 7672; a validated TLSA record that does not match is a failure that nothing rescues), then MTA-STS,
 *   then a PKIX certificate for the MX name, and REQUIRETLS advertised by the next hop;
 * - `dane`: authenticates only by DANE (Postfix `smtp_tls_security_level = dane` with DNSSEC); no MTA-STS;
 * - `dane-mta-sts`: DANE first, then MTA-STS from a policy source (Postfix `dane` plus an MTA-STS policy map);
 * - `verify`: checks only the certificate chain and the MX host name (Postfix `verify`), however the MX was found;
 * - `opportunistic`: TLS when offered, no certificate check (Postfix's stock `may`): it cannot authenticate a next
 *   hop, so it returns every REQUIRETLS message;
 * - `relaxed`: REQUIRETLS relaxed to "STARTTLS required" (Postfix `smtp_requiretls_policy = opportunistic+starttls`):
 *   it passes REQUIRETLS on where the next hop supports it and otherwise delivers over unauthenticated TLS.
 */
export type RelayBehaviour = 'rfc8689' | 'dane' | 'dane-mta-sts' | 'verify' | 'opportunistic' | 'relaxed';

/** The relay behaviours in the order forecasts list them. */
export const RELAY_BEHAVIOURS: readonly RelayBehaviour[] = ['rfc8689', 'dane', 'dane-mta-sts', 'verify', 'opportunistic', 'relaxed'];

/** How the hop to the recipient's MX would be protected when it is delivered. */
export type HopProtection =
  /** TLS with the certificate authenticated by DANE, or by PKIX for an MX found securely (DNSSEC or MTA-STS). */
  | 'authenticated'
  /** TLS with a PKIX-valid certificate for the MX name, but the MX itself was not found securely. */
  | 'certificate-verified'
  /** TLS, certificate not authenticated: an active attacker could sit in the middle. */
  | 'encrypted'
  /** No TLS at all. */
  | 'cleartext'
  /** Depends on an MX that could not be checked from here. */
  | 'unknown';

/** One fact a verdict rests on, with where it came from. */
export interface ForecastEvidence {
  readonly kind: 'mx' | 'dnssec' | 'tlsa' | 'mta-sts' | 'starttls' | 'tls' | 'certificate' | 'requiretls' | 'reachability';
  /** The domain or MX host the fact is about. */
  readonly subject: string;
  /** Whether the fact helps delivery under the verdict's rules, hinders it, or could not be established. */
  readonly bearing: 'supports' | 'blocks' | 'unknown';
  readonly detail: string;
}

/** What one relay behaviour would do with the message. */
export interface RelayVerdict {
  readonly relay: RelayBehaviour;
  readonly verdict: 'deliverable' | 'will-bounce' | 'will-defer' | 'unknown';
  /** For `deliverable`: the MX it would most likely go to (the first one, by preference, that would take it). */
  readonly via?: string;
  /** For `deliverable`: the weakest protection among the MX hosts this relay would use (an attacker can pick). */
  readonly protection?: HopProtection;
  /** For a REQUIRETLS message delivered by a relay: whether the REQUIRETLS request travels on to the next hop. */
  readonly requireTlsPassedOn?: boolean | 'unknown';
  /** For `will-bounce` / `will-defer`: the status codes the relay would most likely use. */
  readonly statusCodes?: readonly string[];
  readonly summary: string;
  readonly evidence: readonly ForecastEvidence[];
}

/** The last hop forecast for one security choice, in words and as data. */
export interface Forecast {
  /**
   * The verdict a user is shown. `deliverable` only when every relay that authenticates the next hop (RFC 8689,
   * DANE-only, DANE + MTA-STS, certificate-only) would deliver; `depends-on-relay` when some deliver and some return
   * it; `held-by-policy` when policy-aware relays hold the message (DANE mismatch, MTA-STS failure) while others
   * deliver it opportunistically.
   */
  readonly verdict:
    | 'deliverable'
    | 'will-bounce'
    | 'depends-on-relay'
    | 'policy-protected'
    | 'held-by-policy'
    | 'opportunistic'
    | 'cleartext-possible'
    | 'policy-ignored'
    | 'no-policy-to-ignore'
    | 'unknown';
  readonly summary: string;
  readonly reasons: readonly string[];
  /** For `will-bounce` and `depends-on-relay`: the codes a bounce would carry, and when each appears. */
  readonly bounceCodes?: readonly { readonly code: string; readonly when: string }[];
  /** What each relay behaviour would do, with its evidence. */
  readonly relays: readonly RelayVerdict[];
}

/** Everything the domain check found about a recipient domain's delivery security. */
export interface DomainCheckResult {
  readonly domain: string;
  readonly resolver: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly mx: Attempt<{ readonly hosts: readonly { readonly name: string; readonly preference: number }[]; readonly authenticated: boolean; readonly implicit: boolean; readonly nullMx: boolean }>;
  readonly mxHosts: readonly MxHostCheck[];
  readonly mtaSts: Attempt<{ readonly record: boolean; readonly policy?: MtaStsPolicy; readonly problem?: string }>;
  readonly tlsRpt: Attempt<{ readonly record?: string }>;
  readonly forecast: { readonly 'require-tls': Forecast; readonly default: Forecast; readonly 'tls-optional': Forecast };
  readonly findings: readonly Finding[];
}

/** One step of a running server or domain check, as it starts and ends (the check screen's progress list). */
export interface CheckStep {
  /** Stable within one check: `main`, `injection`, `TLSv1.2`, `mx`, `mta-sts`, `tls-rpt`, `mx:<host>`. */
  readonly id: string;
  readonly label: string;
  /** `stopped`: the step ended early (the result says why and what could not be checked). */
  readonly state: 'running' | 'done' | 'stopped';
  readonly detail?: string;
}

/** A finished check as the check screen keeps it (the result is the same document as `hoplight check --json`). */
export type StoredCheck =
  | { readonly id: string; readonly kind: 'server'; readonly target: string; readonly at: string; readonly result: ServerCheckResult }
  | { readonly id: string; readonly kind: 'domain'; readonly target: string; readonly at: string; readonly result: DomainCheckResult };

/** The kept checks, newest first, and what could not be read of them. */
export interface RecentChecks {
  readonly checks: readonly StoredCheck[];
  readonly problem?: string;
}
