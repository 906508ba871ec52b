import { roundTripWords } from './render-submission.js';
import type { HopFact, HopModel, HopTone, HopView } from '../../../shared/types/hop-model.js';
import type { Attempt, DomainCheckResult, Forecast, RelayVerdict } from '../../../shared/types/posture.js';
import type { SubmissionReport } from '../../../shared/types/report.js';
import { RELAY_NAMES } from '../posture/forecast.js';
import { replyText } from '../smtp/reply.js';

const OUTCOME_HEADLINES: Readonly<Record<SubmissionReport['outcome'], string>> = {
  accepted: 'Accepted by your submission server.',
  'not-sent': 'Not sent: nothing was transmitted.',
  rejected: 'Refused by your submission server.',
  failed: 'Not delivered: the send failed before the message was complete.',
  cancelled: 'Cancelled before the message was complete: nothing was delivered.',
  uncertain: 'Uncertain: the whole message was sent but never confirmed. It may have been delivered.',
};

const GOOD_VERDICTS: readonly Forecast['verdict'][] = ['deliverable', 'policy-protected'];
const BAD_VERDICTS: readonly Forecast['verdict'][] = ['will-bounce', 'cleartext-possible', 'held-by-policy', 'policy-ignored'];

/**
 * Builds the per-hop model of one send: hop 1 as observed, the relays as the chosen mode promises, and each
 * recipient domain as forecast (when its check is known). The CLI, `--json` and the desktop view all show this.
 */
export function buildHopModel(report: SubmissionReport, forecasts: Readonly<Record<string, Attempt<DomainCheckResult>>> = {}): HopModel {
  const domains = [...new Set(report.message.recipients.map((r) => r.slice(r.lastIndexOf('@') + 1).toLowerCase()))];
  const left = report.outcome === 'accepted';
  const hops: HopView[] = [submissionHop(report), relaysHop(report, left), ...domains.map((d) => recipientHop(report, d, forecasts[d]))];
  const tone: HopTone = report.outcome === 'accepted' ? 'good' : report.outcome === 'uncertain' ? 'neutral' : 'bad';
  return { outcome: report.outcome, headline: OUTCOME_HEADLINES[report.outcome], tone, hops };
}

function submissionHop(report: SubmissionReport): HopView {
  const hop = report.submissionHop;
  const facts: HopFact[] = [{ label: 'Connection', value: hop.transport === 'implicit-tls' ? 'implicit TLS (RFC 8314)' : 'STARTTLS (RFC 3207)' }];
  const tls = hop.tls;
  if (tls) {
    facts.push({ label: 'TLS', value: `${tls.protocol}, ${tls.cipher}${tls.keyExchange ? `, key exchange ${tls.keyExchange}` : ''}${tls.resumed ? '; session resumed (the certificate shown was verified when it began)' : ''}`, tone: 'good' });
    facts.push({ label: 'Certificate', value: `${tls.certificate.subject}, issued by ${tls.certificate.issuer}, valid until ${tls.certificate.validTo.slice(0, 10)}` });
    facts.push(
      tls.trust.pinned
        ? { label: 'Trusted', value: `by its pinned fingerprint ${tls.certificate.fingerprintSha256}`, tone: 'good' }
        : { label: 'Trusted', value: tls.trust.chainTrusted ? `yes, the chain is trusted${tls.trust.extraCaUsed ? ' (with the account’s CA file)' : ''}` : `no (${tls.trust.chainError ?? 'not trusted'})`, tone: tls.trust.chainTrusted ? 'good' : 'bad' },
    );
    facts.push({ label: 'Name', value: `${tls.trust.hostnameMatched ? 'matches' : 'does not match'} ${tls.trust.checkedName}`, tone: tls.trust.hostnameMatched ? 'good' : 'bad' });
  } else if (hop.refusedTls) {
    const r = hop.refusedTls;
    facts.push({ label: 'Refused certificate', value: `${r.certificate.subject}, issued by ${r.certificate.issuer}; SHA-256 ${r.certificate.fingerprintSha256}${r.trust.chainError ? `; ${r.trust.chainError}` : ''}`, tone: 'bad' });
  } else facts.push({ label: 'TLS', value: 'not established', tone: 'neutral' });
  const rt = hop.requireTls;
  facts.push({ label: 'REQUIRETLS', value: `advertised ${rt.advertised ? 'yes' : 'no'}, requested ${rt.requested ? 'yes' : 'no'}, accepted ${rt.requested ? (rt.accepted ? 'yes' : 'no') : 'n/a'}`, ...(rt.requested ? { tone: rt.accepted ? ('good' as const) : ('bad' as const) } : {}) });
  facts.push({ label: 'Login', value: hop.authMechanism ? `AUTH ${hop.authMechanism}, over TLS` : 'not used' });
  if (hop.finalReply) facts.push({ label: 'Server’s verdict', value: replyText(hop.finalReply) });
  if (hop.queueId) facts.push({ label: 'Queue id', value: hop.queueId });
  const t = hop.timings;
  facts.push({ label: 'Time', value: `${t.totalMs} ms in all (connect ${t.connectMs ?? '–'}, TLS ${t.tlsMs ?? '–'}, login ${t.authMs ?? '–'}, transfer ${t.transferMs ?? '–'})` });
  if (hop.roundTrips !== undefined) facts.push({ label: 'Round trips', value: roundTripWords(hop.roundTrips, hop.shortcuts ?? []) });
  const verified = tls !== undefined;
  const headline = verified
    ? report.outcome === 'accepted'
      ? `Encrypted with ${tls.protocol} to a verified ${hop.host}; the server accepted the message.`
      : `Encrypted with ${tls.protocol} to a verified ${hop.host}. ${OUTCOME_HEADLINES[report.outcome]}`
    : `No protected connection was made, so nothing was sent: ${report.error?.message ?? 'the connection failed'}`;
  // The hop's tone is its protection, verified on the wire; what became of the message is in the headline.
  return { hop: 'submission', title: `You → ${hop.host}:${hop.port}`, state: verified ? 'verified' : 'failed', tone: verified ? 'good' : 'bad', headline, facts };
}

function relaysHop(report: SubmissionReport, left: boolean): HopView {
  if (!left) {
    return { hop: 'relays', title: 'Relays', state: 'unknown', tone: 'neutral', headline: report.outcome === 'uncertain' ? 'Unknown: whether the message left your submission server could not be confirmed.' : 'Not reached: the message did not leave your submission server.', facts: [] };
  }
  return {
    hop: 'relays',
    title: 'Relays',
    state: 'promised',
    tone: 'neutral',
    headline: `${report.relays.summary} This is what the protocol asks of them, not something Hoplight can see.`,
    facts: report.relays.details.map((d, i) => ({ label: i === 0 ? 'What is asked' : '', value: d })),
  };
}

function recipientHop(report: SubmissionReport, domain: string, check: Attempt<DomainCheckResult> | undefined): HopView {
  const title = `${domain}’s mail servers`;
  if (!check) return { hop: 'recipient', domain, title, state: 'unknown', tone: 'neutral', headline: `Not checked yet: how ${domain} receives mail is unknown.`, facts: [] };
  if (check.status !== 'completed') return { hop: 'recipient', domain, title, state: 'unknown', tone: 'neutral', headline: `Could not check ${domain}: ${check.reason}`, facts: [] };
  const forecast = check.result.forecast[report.securityChoice];
  const tone: HopTone = forecast.verdict === 'unknown' ? 'neutral' : GOOD_VERDICTS.includes(forecast.verdict) ? 'good' : BAD_VERDICTS.includes(forecast.verdict) ? 'bad' : 'neutral';
  const facts: HopFact[] = [
    ...(forecast.bounceCodes ?? []).map((c) => ({ label: `Bounce ${c.code}`, value: `when ${c.when}` })),
    // One line per kind of relay, unless none of them can be forecast (then the headline says it all).
    ...forecast.relays.filter(() => forecast.relays.some((r) => r.verdict !== 'unknown')).map((r) => ({ label: RELAY_NAMES[r.relay].replace(/^a relay /, 'Relay ').replace(/^./, (c) => c.toUpperCase()), value: r.summary, tone: relayTone(r) })),
  ];
  const prefix = report.outcome === 'accepted' ? '' : report.outcome === 'uncertain' ? 'If it was delivered: ' : 'Had it been sent: ';
  return { hop: 'recipient', domain, title, state: forecast.verdict === 'unknown' ? 'unknown' : 'forecast', tone, headline: `${prefix}${forecast.summary}`, facts };
}

/** Green only for delivery over authenticated TLS; delivery without authentication, or in cleartext, is not. */
function relayTone(r: RelayVerdict): HopTone {
  if (r.verdict === 'unknown') return 'neutral';
  if (r.verdict !== 'deliverable') return 'bad';
  if (r.protection === 'cleartext' || r.requireTlsPassedOn === false) return 'bad';
  return r.protection === 'authenticated' ? 'good' : 'neutral';
}
