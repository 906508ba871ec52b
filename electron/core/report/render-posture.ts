import type { Attempt, Finding, ServerCheckResult, Severity } from '../../../shared/types/posture.js';
import type { RenderStyle } from './render-submission.js';

const PLAIN: RenderStyle = { bold: (s) => s, good: (s) => s, bad: (s) => s, dim: (s) => s };
const ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info', 'ok'];

/** "completed: …", or the reason a check could not be made: never shown as good or bad. */
function attempt<T>(value: Attempt<T>, show: (result: T) => string, style: RenderStyle): string {
  if (value.status === 'completed') return show(value.result);
  return style.dim(value.status === 'error' ? `could not check: ${value.reason}` : `not checked: ${value.reason}`);
}

/** Findings sorted by severity, one line each. */
export function renderFindings(findings: readonly Finding[], style: RenderStyle = PLAIN): string[] {
  const sorted = [...findings].sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity));
  return sorted.map((f) => {
    const tag = `[${f.severity}]`.padEnd(11);
    const colour = f.severity === 'ok' ? style.good : f.severity === 'info' || f.severity === 'low' ? style.dim : style.bad;
    return `  ${colour(tag)} ${f.id}: ${f.title}${f.detail ? ` (${f.detail})` : ''}`;
  });
}

/** Renders a server check for a terminal. */
export function renderServerCheck(result: ServerCheckResult, style: RenderStyle = PLAIN): string {
  const out: string[] = [];
  const yes = (v: boolean): string => (v ? style.good('yes') : style.bad('no'));
  out.push(style.bold(`Server ${result.host}:${result.port} (${result.security === 'implicit' ? 'implicit TLS' : 'STARTTLS'}; certificate checked for "${result.checkedName}"), ${result.durationMs} ms`));
  out.push(`  Greeting:        ${attempt(result.connection, (r) => r.greeting, style)}`);
  if (result.security === 'starttls') {
    out.push(`  EHLO before TLS: ${attempt(result.ehloBeforeTls, (r) => r.capabilities.join(', '), style)}`);
    out.push(`  STARTTLS:        ${attempt(result.starttls, (r) => `offered ${yes(r.offered)}, works ${yes(r.accepted)}`, style)}`);
  }
  out.push(`  TLS:             ${attempt(result.tls, (r) => `${r.protocol}, ${r.cipher}${r.keyExchange ? `, ${r.keyExchange}` : ''}`, style)}`);
  out.push(`  EHLO after TLS:  ${attempt(result.ehloAfterTls, (r) => `${r.capabilities.join(', ')}${r.added.length ? ` (added: ${r.added.join(', ')})` : ''}${r.removed.length ? ` (removed: ${r.removed.join(', ')})` : ''}`, style)}`);
  out.push('  TLS versions:');
  for (const [version, value] of Object.entries(result.tlsVersions)) {
    const old = version === 'TLSv1' || version === 'TLSv1.1';
    out.push(`    ${version.padEnd(8)} ${attempt(value, (r) => (r.accepted ? `${old ? style.bad('accepted') : style.good('accepted')} (${r.cipher})` : `${old ? style.good('refused') : 'refused'}${r.detail ? style.dim(` (${r.detail})`) : ''}`), style)}`);
  }
  out.push(
    `  Certificate:     ${attempt(
      result.certificate,
      (c) =>
        [
          `${c.leaf.subject}; issuer ${c.leaf.issuer}`,
          `    names:         ${c.leaf.subjectAltNames.join(', ') || '(none)'}`,
          `    key:           ${c.leaf.publicKey}; signature ${c.signatureAlgorithm}`,
          `    valid until:   ${c.leaf.validTo} (${c.expired ? style.bad('expired') : `${c.daysUntilExpiry} days left`})`,
          `    chain trusted: ${yes(c.chainTrusted)}${c.chainError ? ` (${c.chainError})` : ''}`,
          `    name matched:  ${yes(c.hostnameMatched)}`,
          `    SHA-256:       ${c.leaf.fingerprintSha256}`,
        ].join('\n'),
      style,
    )}`,
  );
  out.push(`  OCSP stapling:   ${attempt(result.ocsp, (o) => (o.stapled ? `stapled, status ${o.status ?? 'unreadable'}${o.signatureValid === undefined ? '' : o.signatureValid ? ', signature valid' : style.bad(', signature INVALID')}${o.nextUpdate ? `, next update ${o.nextUpdate}` : ''}` : 'not stapled'), style)}`);
  out.push(
    `  Extensions:      ${attempt(
      result.extensions,
      (e) =>
        [
          `REQUIRETLS ${yes(e.requireTlsAfterTls)}`,
          `AUTH ${e.authAfterTls.join(' ') || 'none'}`,
          `PIPELINING ${e.pipelining ? 'yes' : 'no'}`,
          `PIPECONNECT ${e.pipeconnect ? 'yes' : 'no'}`,
          `CHUNKING ${e.chunking ? 'yes' : 'no'}`,
          `SMTPUTF8 ${e.smtputf8 ? 'yes' : 'no'}`,
          `8BITMIME ${e.eightBitMime ? 'yes' : 'no'}`,
          `DSN ${e.dsn ? 'yes' : 'no'}`,
          `SIZE ${e.size ?? 'no limit stated'}`,
          `ENHANCEDSTATUSCODES ${e.enhancedStatusCodes ? 'yes' : 'no'}`,
        ].join(', '),
      style,
    )}`,
  );
  if (result.security === 'starttls') out.push(`  STARTTLS injection: ${attempt(result.starttlsInjection, (r) => (r.vulnerable ? style.bad('VULNERABLE') : style.good('not vulnerable')), style)}`);
  out.push('', style.bold('Findings'), ...renderFindings(result.findings, style));
  return out.join('\n');
}
