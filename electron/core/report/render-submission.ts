import type { SubmissionReport, SubmissionShortcut } from '../../../shared/types/report.js';
import { replyText } from '../smtp/reply.js';
import type { ErrorData } from '../../../shared/types/errors.js';
import { visible, visibleData } from './visible.js';

/** Optional terminal styling. */
export interface RenderStyle {
  readonly bold: (s: string) => string;
  readonly good: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly dim: (s: string) => string;
}

const PLAIN: RenderStyle = { bold: (s) => s, good: (s) => s, bad: (s) => s, dim: (s) => s };

const CHOICE_NAMES = {
  'require-tls': 'Require TLS on every hop (REQUIRETLS, RFC 8689)',
  default: 'Default (TLS to the submission server; relays follow their own policy)',
  'tls-optional': 'TLS optional (TLS-Required: No, RFC 8689 §5)',
} as const;

/** Renders a submission report as readable text for a terminal or a "copy report" button. */
export function renderSubmissionReport(unsafe: SubmissionReport, style: RenderStyle = PLAIN, options: { hint?: (error: ErrorData) => string | undefined } = {}): string {
  // Greeting, replies, certificate fields and error texts come from the server: shown only as visible text.
  const report = visibleData(unsafe);
  const hop = report.submissionHop;
  const out: string[] = [];
  const yes = (v: boolean): string => (v ? style.good('yes') : style.bad('no'));
  const headline: Record<SubmissionReport['outcome'], string> = {
    accepted: style.good('Accepted by the submission server.'),
    'not-sent': style.bad(report.error?.code === 'ESTARTTLS' || report.error?.code === 'EREQUIRETLS' || report.error?.code === 'ETLS' ? 'Not sent: a security requirement could not be met. Nothing was transmitted.' : 'Not sent: Hoplight stopped before transmitting anything.'),
    rejected: style.bad('Refused by the server.'),
    failed: style.bad('Failed.'),
    cancelled: style.bad('Cancelled before the message was complete: nothing was delivered.'),
    uncertain: style.bad('Uncertain: the whole message was sent, but the server never confirmed it. It may have been delivered; check before sending it again.'),
  };
  out.push(style.bold(headline[report.outcome]));
  if (report.error) {
    out.push(`  ${report.error.code}: ${report.error.message}`);
    const hint = options.hint ? options.hint(report.error) : report.error.hint;
    if (hint) out.push(`  What you can do: ${visible(hint)}`);
  }
  out.push('', style.bold('Message'));
  out.push(`  Security choice: ${CHOICE_NAMES[report.securityChoice]}`);
  if (report.message.messageId) out.push(`  Message-ID:      ${report.message.messageId}`);
  out.push(`  From (envelope): ${report.message.envelopeFrom ?? ''}`);
  out.push(`  Recipients:      ${report.message.recipients.join(', ')}`);
  for (const r of report.message.rejectedRecipients) out.push(`  Refused:         ${r.address}: ${replyText(r.reply)}`);
  if (report.message.sizeBytes !== undefined) out.push(`  Size:            ${report.message.sizeBytes} bytes`);
  out.push(`  TLS-Required: No header: ${report.message.tlsRequiredNoHeader ? 'present' : 'absent'}`);

  out.push('', style.bold(`Hop 1: this computer → ${hop.host}:${hop.port}`));
  out.push(`  Transport:       ${hop.transport === 'implicit-tls' ? 'implicit TLS (RFC 8314)' : 'STARTTLS (RFC 3207)'}${hop.remoteAddress ? `, address ${hop.remoteAddress}` : ''}`);
  if (hop.tls) {
    const t = hop.tls;
    out.push(`  TLS:             ${style.good(t.protocol)}, ${t.cipher}${t.keyExchange ? `, key exchange ${t.keyExchange}` : ''}${t.resumed ? '; session resumed (certificate below as verified when the session began)' : ''}`);
    out.push(`  Certificate:     ${t.certificate.subject}`);
    out.push(`    names:         ${t.certificate.subjectAltNames.join(', ') || '(none)'}`);
    out.push(`    issuer:        ${t.certificate.issuer}`);
    out.push(`    valid:         ${t.certificate.validFrom} → ${t.certificate.validTo}`);
    out.push(`    key:           ${t.certificate.publicKey}`);
    out.push(`    SHA-256:       ${t.certificate.fingerprintSha256}`);
    out.push(`    chain trusted: ${t.trust.pinned ? `${yes(t.trust.chainTrusted)}${t.trust.chainError ? ` (${t.trust.chainError})` : ''}; trusted by its ${style.good('pinned fingerprint')}` : yes(t.trust.chainTrusted)}${t.trust.extraCaUsed ? ' (account CA file trusted too)' : ''}`);
    out.push(`    name matched:  ${yes(t.trust.hostnameMatched)} (checked "${t.trust.checkedName}")`);
  } else {
    out.push(`  TLS:             ${style.dim('not established')}`);
  }
  if (hop.refusedTls) {
    const r = hop.refusedTls;
    const why = [
      r.trust.pinned ? 'does not match the pinned fingerprint' : undefined,
      !r.trust.pinned && !r.trust.chainTrusted ? `chain not trusted (${r.trust.chainError ?? 'unknown'})` : undefined,
      !r.trust.hostnameMatched ? `not valid for "${r.trust.checkedName}"` : undefined,
    ].filter(Boolean);
    out.push(style.bad(`  Refused certificate (${why.join('; ') || 'not trusted'}):`));
    out.push(`    subject:       ${r.certificate.subject}`);
    out.push(`    names:         ${r.certificate.subjectAltNames.join(', ') || '(none)'}`);
    out.push(`    issuer:        ${r.certificate.issuer}`);
    out.push(`    valid:         ${r.certificate.validFrom} → ${r.certificate.validTo}`);
    out.push(`    SHA-256:       ${r.certificate.fingerprintSha256}`);
  }
  if (hop.capabilitiesBeforeTls) out.push(`  EHLO before TLS: ${hop.capabilitiesBeforeTls.join(', ')}`);
  if (hop.capabilitiesAfterTls) out.push(`  EHLO after TLS:  ${hop.capabilitiesAfterTls.join(', ')}`);
  out.push(`  REQUIRETLS:      advertised ${yes(hop.requireTls.advertised)}, requested ${hop.requireTls.requested ? 'yes' : 'no'}, accepted ${hop.requireTls.requested ? yes(hop.requireTls.accepted) : 'n/a'}`);
  out.push(`  AUTH:            ${hop.authMechanism ?? 'not used'}`);
  if (hop.finalReply) out.push(`  Final reply:     ${replyText(hop.finalReply)}`);
  if (hop.queueId) out.push(`  Queue id:        ${hop.queueId}`);
  const t = hop.timings;
  const ms = (v: number | undefined): string => (v === undefined ? '-' : `${v} ms`);
  out.push(`  Timings:         connect ${ms(t.connectMs)}, greeting ${ms(t.greetingMs)}, TLS ${ms(t.tlsMs)}, auth ${ms(t.authMs)}, transfer ${ms(t.transferMs)}; total ${ms(t.totalMs)}`);
  if (hop.roundTrips !== undefined) out.push(`  Round trips:     ${roundTripWords(hop.roundTrips, hop.shortcuts ?? [])}`);

  out.push('', style.bold('Later hops'));
  out.push(`  ${report.relays.summary}`);
  for (const detail of report.relays.details) out.push(`  - ${detail}`);

  out.push('', style.bold('Transcript (AUTH redacted, message content omitted)'));
  for (const entry of hop.transcript) {
    const who = entry.from === 'client' ? 'C:' : entry.from === 'server' ? 'S:' : '--';
    out.push(style.dim(`  ${String(entry.atMs).padStart(6)} ms ${who} ${entry.line}`));
  }
  return out.join('\n');
}

const SHORTCUT_WORDS: Readonly<Record<SubmissionShortcut, string>> = {
  pipelining: 'commands pipelined (RFC 2920)',
  'pipelined-auth': 'AUTH PLAIN sent with the envelope (RFC 4954 §4)',
  'early-pipelining': 'early pipelining from the cached EHLO (PIPECONNECT)',
  chunking: 'content sent as one BDAT chunk (RFC 3030)',
  'content-in-envelope': 'content sent with the envelope (one recipient, no login)',
};

/** "8 (TCP, TLS and SMTP), using: …" — the round trips a session spent and the shortcuts it used. */
export function roundTripWords(roundTrips: number, shortcuts: readonly SubmissionShortcut[]): string {
  return `${roundTrips} (TCP, TLS and SMTP)${shortcuts.length ? `; ${shortcuts.map((s) => SHORTCUT_WORDS[s]).join(', ')}` : ''}`;
}
