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
  readonly server: Attempt<ServerCheckResult>;
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

/** The last hop forecast for one security choice, in words and as data. */
export interface Forecast {
  readonly verdict: 'deliverable' | 'will-bounce' | 'policy-protected' | 'opportunistic' | 'cleartext-possible' | 'policy-ignored' | 'no-policy-to-ignore' | 'unknown';
  readonly summary: string;
  readonly reasons: readonly string[];
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
