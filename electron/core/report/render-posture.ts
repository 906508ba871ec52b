import type { Attempt, DomainCheckResult, Finding, ServerCheckResult, Severity } from '../../../shared/types/posture.js';
import type { RenderStyle } from './render-submission.js';
import { visibleData } from './visible.js';

const PLAIN: RenderStyle = { bold: (s) => s, good: (s) => s, bad: (s) => s, dim: (s) => s };
const ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info', 'ok'];

/** "completed: …", or the reason a check could not be made: never shown as good or bad. */
function attempt<T>(value: Attempt<T>, show: (result: T) => string, style: RenderStyle): string {
  if (value.status === 'completed') return show(value.result);
  return style.dim(value.status === 'error' ? `could not check: ${value.reason}` : `not checked: ${value.reason}`);
}

/** Findings sorted by severity, one line each. */
export function renderFindings(unsafe: readonly Finding[], style: RenderStyle = PLAIN): string[] {
  const findings = visibleData(unsafe);
  if (findings.length === 0) return [style.dim('  none: what could not be checked is listed above as such')];
  const sorted = [...findings].sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity));
  return sorted.map((f) => {
    const tag = `[${f.severity}]`.padEnd(11);
    const colour = f.severity === 'ok' ? style.good : f.severity === 'info' || f.severity === 'low' ? style.dim : style.bad;
    return `  ${colour(tag)} ${f.id}: ${f.title}${f.detail ? ` (${f.detail})` : ''}`;
  });
}

/** Renders a server check for a terminal. */
export function renderServerCheck(unsafe: ServerCheckResult, style: RenderStyle = PLAIN): string {
  // Everything the server (or its certificate) supplied is shown only as visible text.
  const result = visibleData(unsafe);
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

/** Renders a domain check for a terminal: MX, policies, each MX, the forecast per security choice, findings. */
export function renderDomainCheck(unsafe: DomainCheckResult, style: RenderStyle = PLAIN): string {
  const result = visibleData(unsafe);
  const out: string[] = [];
  const yes = (v: boolean): string => (v ? style.good('yes') : style.bad('no'));
  out.push(style.bold(`Domain ${result.domain} (resolver ${result.resolver}), ${result.durationMs} ms`));
  out.push(`  MX:        ${attempt(result.mx, (m) => (m.nullMx ? 'null MX: the domain accepts no mail' : `${m.hosts.map((h) => `${h.preference} ${h.name}`).join(', ') || 'none'}${m.implicit ? ' (implicit: no MX record)' : ''}; DNSSEC-validated ${yes(m.authenticated)}`), style)}`);
  out.push(`  MTA-STS:   ${attempt(result.mtaSts, (m) => (!m.record ? 'no policy' : m.policy ? `mode ${m.policy.mode}, max_age ${m.policy.maxAge}, mx ${m.policy.mx.join(', ')}` : style.bad(`broken: ${m.problem ?? ''}`)), style)}`);
  out.push(`  TLS-RPT:   ${attempt(result.tlsRpt, (t) => t.record ?? 'no record', style)}`);
  for (const host of result.mxHosts) {
    out.push('', style.bold(`  MX ${host.preference} ${host.name}: ${host.reachability === 'unreachable' ? style.dim('could not connect on port 25 from here (not a verdict on the server)') : host.reachability}`));
    out.push(`    addresses:   ${attempt(host.addresses, (a) => a.addresses.join(', ') || 'none', style)}`);
    out.push(`    MTA-STS:     ${attempt(host.mtaStsMatch, (m) => (m.matched ? `listed (${m.pattern ?? ''})` : style.bad('not listed')), style)}`);
    out.push(`    DANE:        ${attempt(host.dane, (d) => (d.records.length === 0 ? 'no TLSA records' : `${d.records.map((r) => `${r.usage} ${r.selector} ${r.matchingType}: ${r.detail}`).join('; ')}; validated ${yes(d.authenticated)}`), style)}`);
    out.push(`    REQUIRETLS:  ${host.requireTls.deliverable === 'unknown' ? style.dim('unknown') : host.requireTls.deliverable ? style.good('a compliant relay can deliver') : style.bad('a compliant relay cannot deliver')} (${host.requireTls.reasons.join('; ')})`);
    // Each address on its own: a relay may reach any of them (the first one's check is host.server).
    for (const check of host.addressChecks ?? [{ address: '', server: host.server }]) {
      if (check.server.status === 'completed' && check.server.result.connection.status === 'completed') {
        out.push(...renderServerCheck(check.server.result, style).split('\n').map((line) => `    ${line}`));
      } else if (host.addressChecks) out.push(`    ${check.address}: ${style.dim(check.server.status === 'completed' ? 'could not connect on port 25 from here' : check.server.reason)}`);
    }
  }
  out.push('', style.bold('Last hop, for each security choice and each kind of sending relay (--json has the evidence)'));
  const names = { 'require-tls': 'Require TLS on every hop', default: 'Default', 'tls-optional': 'TLS optional' } as const;
  for (const choice of ['require-tls', 'default', 'tls-optional'] as const) {
    const f = result.forecast[choice];
    out.push(`  ${names[choice]}: ${f.summary}`);
    for (const code of f.bounceCodes ?? []) out.push(`    ${code.code}: when ${code.when}`);
    for (const reason of f.reasons) out.push(style.dim(`    - ${reason}`));
  }
  out.push('', style.bold('Findings'), ...renderFindings(result.findings, style));
  return out.join('\n');
}
