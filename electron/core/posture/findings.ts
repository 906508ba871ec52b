import type { Finding, Severity } from '../../../shared/types/posture.js';

/** Every finding id with its severity and title: the one table README.md's "Findings" mirrors. */
export const FINDINGS = {
  'starttls.missing': { severity: 'critical', title: 'STARTTLS is not offered: mail and passwords to this port travel in cleartext' },
  'starttls.refused': { severity: 'critical', title: 'STARTTLS is advertised but refused' },
  'starttls.injection': { severity: 'critical', title: 'Commands sent before STARTTLS are executed inside TLS (STARTTLS command injection, CVE-2011-0411 class)' },
  'starttls.no-injection': { severity: 'ok', title: 'Commands pipelined with STARTTLS are discarded' },
  'tls.failed': { severity: 'critical', title: 'The TLS handshake fails' },
  'tls.version.tls1_0': { severity: 'medium', title: 'TLS 1.0 is accepted' },
  'tls.version.tls1_1': { severity: 'medium', title: 'TLS 1.1 is accepted' },
  'tls.version.tls1_3-missing': { severity: 'low', title: 'TLS 1.3 is not offered' },
  'tls.version.tls1_2-only-or-newer': { severity: 'ok', title: 'Only TLS 1.2 and newer are accepted' },
  'cert.untrusted': { severity: 'high', title: 'The certificate chain is not trusted' },
  'cert.expired': { severity: 'high', title: 'The certificate has expired' },
  'cert.not-yet-valid': { severity: 'high', title: 'The certificate is not valid yet' },
  'cert.expires-soon': { severity: 'medium', title: 'The certificate expires within 14 days' },
  'cert.hostname-mismatch': { severity: 'high', title: 'The certificate does not match the host name' },
  'cert.valid': { severity: 'ok', title: 'The certificate is trusted and matches the host name' },
  'ocsp.stapled': { severity: 'ok', title: 'An OCSP response is stapled' },
  'ocsp.not-stapled': { severity: 'info', title: 'No OCSP response is stapled' },
  'ocsp.revoked': { severity: 'critical', title: 'The stapled OCSP response says the certificate is revoked' },
  'ocsp.bad-signature': { severity: 'high', title: 'The stapled OCSP response is not signed by the certificate’s issuer' },
  'requiretls.supported': { severity: 'ok', title: 'REQUIRETLS is advertised after TLS (RFC 8689)' },
  'requiretls.missing': { severity: 'info', title: 'REQUIRETLS is not advertised: messages sent with "Require TLS on every hop" will be refused' },
  'requiretls.before-tls': { severity: 'medium', title: 'REQUIRETLS is advertised before TLS, which RFC 8689 §4.1 forbids' },
  'auth.before-tls': { severity: 'high', title: 'AUTH is offered before TLS: a client could send its password in cleartext' },
  'auth.cleartext-accepted': { severity: 'critical', title: 'The server takes credentials in cleartext: AUTH before TLS was answered with a challenge (the check cancelled it and sent none)' },
  'auth.mechanisms': { severity: 'info', title: 'AUTH mechanisms offered over TLS' },
  'pipelining.supported': { severity: 'info', title: 'PIPELINING is supported (RFC 2920)' },
  'pipeconnect.supported': { severity: 'info', title: 'Early pipelining (PIPECONNECT) is supported' },
  'chunking.supported': { severity: 'info', title: 'CHUNKING (BDAT) is supported (RFC 3030)' },
  'smtputf8.missing': { severity: 'low', title: 'SMTPUTF8 is not supported: internationalised addresses cannot be used' },
  'connection.failed': { severity: 'info', title: 'Could not connect: nothing about this server could be checked' },
  'mx.none': { severity: 'high', title: 'The domain publishes no mail server (null MX or no address)' },
  'mx.implicit': { severity: 'low', title: 'No MX record: mail goes to the domain’s own address (RFC 5321 §5.1)' },
  'mx.addresses-disagree': { severity: 'high', title: 'The addresses of this MX do not behave alike (REQUIRETLS, certificate or reachability): a relay may reach any of them' },
  'mx.unreachable': { severity: 'info', title: 'Could not connect to this MX on port 25 from here (often blocked for home connections); not a finding about the server' },
  'dnssec.signed': { severity: 'ok', title: 'The MX records are DNSSEC-validated' },
  'dnssec.unsigned': { severity: 'medium', title: 'The MX records are not DNSSEC-validated: they could be forged on the way' },
  'mta-sts.enforce': { severity: 'ok', title: 'MTA-STS policy in enforce mode' },
  'mta-sts.testing': { severity: 'low', title: 'MTA-STS policy in testing mode: failures are reported, not prevented' },
  'mta-sts.none': { severity: 'low', title: 'MTA-STS policy in mode "none"' },
  'mta-sts.missing': { severity: 'medium', title: 'No MTA-STS policy: senders cannot tell that TLS is required' },
  'mta-sts.cached-fallback': { severity: 'low', title: 'The live MTA-STS policy could not be had; the cached one, still within its max_age, was used, as a sender does (RFC 8461 §5.1)' },
  'mta-sts.invalid': { severity: 'high', title: 'An MTA-STS record is published but its policy cannot be fetched or parsed' },
  'mta-sts.mx-mismatch': { severity: 'high', title: 'An MX is not listed in the MTA-STS policy: enforcing senders will not deliver to it' },
  'dane.valid': { severity: 'ok', title: 'A DNSSEC-validated TLSA record matches the certificate the MX presented (DANE)' },
  'dane.mismatch': { severity: 'high', title: 'TLSA records exist but none matches the certificate the MX presented: DANE senders will not deliver' },
  'dane.unvalidated': { severity: 'medium', title: 'TLSA records exist but are not DNSSEC-validated, so DANE cannot use them' },
  'dane.missing': { severity: 'info', title: 'No TLSA records for this MX (no DANE)' },
  'tlsrpt.present': { severity: 'ok', title: 'A TLS-RPT record asks senders to report TLS failures (RFC 8460)' },
  'tlsrpt.missing': { severity: 'low', title: 'No TLS-RPT record: nobody hears about failed TLS deliveries' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

/** A finding id. */
export type FindingId = keyof typeof FINDINGS;

/** Makes a finding from the catalogue. */
export function finding(id: FindingId, subject: string, detail?: string, severity?: Severity): Finding {
  const entry = FINDINGS[id];
  return { id, severity: severity ?? entry.severity, title: entry.title, subject, ...(detail ? { detail } : {}) };
}
