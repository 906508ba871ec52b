import { RELAY_BEHAVIOURS, type DomainCheckResult, type Forecast, type ForecastEvidence, type HopProtection, type MxHostCheck, type RelayBehaviour, type RelayVerdict } from '../../../shared/types/posture.js';
import type { SecurityChoice } from '../../../shared/types/security.js';
import { mxFacts, type DomainFacts, type MxFacts } from './mx-facts.js';
import { hostOutcome, type HostOutcome } from './relay-rules.js';

/** Relays that authenticate the next hop: a REQUIRETLS forecast says "deliverable" only when all of them deliver. */
const AUTHENTICATING: readonly RelayBehaviour[] = ['rfc8689', 'dane', 'dane-mta-sts', 'verify'];

/** Short names of the relay behaviours, for words shown to people. */
export const RELAY_NAMES: Readonly<Record<RelayBehaviour, string>> = {
  rfc8689: 'a relay that follows RFC 8689 (DANE, then MTA-STS, then a verified certificate)',
  dane: 'a relay that authenticates only by DANE (Postfix "dane")',
  'dane-mta-sts': 'a relay with DANE and an MTA-STS policy source',
  verify: 'a relay that only checks certificates (Postfix "verify")',
  opportunistic: 'a relay with opportunistic TLS (Postfix\'s default "may")',
  relaxed: 'a relay that relaxes REQUIRETLS to "STARTTLS required" (Postfix "opportunistic+starttls")',
};

/** Plural short names, for one-line summaries. */
const RELAY_SHORT: Readonly<Record<RelayBehaviour, string>> = {
  rfc8689: 'relays that follow RFC 8689',
  dane: 'DANE-only relays (Postfix "dane")',
  'dane-mta-sts': 'relays with DANE and MTA-STS',
  verify: 'certificate-only relays (Postfix "verify")',
  opportunistic: 'relays with opportunistic TLS',
  relaxed: 'relays that relax REQUIRETLS',
};
const listOf = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

const BOUNCE_WHEN: Readonly<Record<string, string>> = {
  '5.7.30': 'no MX announces REQUIRETLS, or STARTTLS is missing where the relay requires TLS',
  '5.7.10': 'the next hop could not be authenticated: MX not found securely, certificate not trusted, TLSA records that do not match, or no DANE or MTA-STS policy the relay uses',
  '5.1.10': 'the domain publishes a null MX (RFC 7505): it accepts no mail',
};

const PROTECTION_WORDS: Readonly<Record<HopProtection, string>> = {
  authenticated: 'over authenticated TLS',
  'certificate-verified': 'over TLS with a verified certificate, to an MX that was not found securely',
  encrypted: 'over TLS without certificate authentication',
  cleartext: 'in cleartext',
  unknown: 'with protection that depends on an MX that could not be checked',
};
const STRENGTH: readonly HopProtection[] = ['cleartext', 'unknown', 'encrypted', 'certificate-verified', 'authenticated'];

/** Inputs of the forecast, as the domain check gathered them. */
export interface ForecastInput extends DomainFacts {
  readonly mx: DomainCheckResult['mx'];
  readonly hosts: readonly MxHostCheck[];
}

/** The forecast for each security choice, with a verdict per relay behaviour and its evidence. */
export function forecastDomain(input: ForecastInput): DomainCheckResult['forecast'] {
  const facts = input.hosts.map((h) => mxFacts(h, input));
  // MX hosts beyond those checked may receive the message too: they count as "could not check".
  const unchecked = input.mx.status === 'completed' ? input.mx.result.hosts.length - input.hosts.length : 0;
  return {
    'require-tls': requireTlsForecast(input, facts, unchecked),
    default: defaultForecast(input, facts, unchecked),
    'tls-optional': tlsOptionalForecast(input, facts, unchecked),
  };
}

/** RFC 8689 §4.2.1 for one MX, as a compliant relay applies it (the per-host verdict in the domain check). */
export function requireTlsForHost(host: MxHostCheck, domain: DomainFacts): MxHostCheck['requireTls'] {
  const outcome = hostOutcome(mxFacts(host, domain), 'rfc8689', 'require-tls');
  return { deliverable: outcome.kind === 'unknown' ? 'unknown' : outcome.kind === 'accepts', reasons: outcome.evidence.map((e) => `${e.bearing === 'blocks' ? 'fails: ' : e.bearing === 'unknown' ? 'unknown: ' : ''}${e.detail}`) };
}

function noMail(input: ForecastInput): Forecast | undefined {
  if (input.mx.status !== 'completed') return unknownForecast(`The MX records of ${input.domain} could not be looked up (${input.mx.reason}), so nothing can be forecast.`);
  if (input.mx.result.nullMx) {
    const relays = RELAY_BEHAVIOURS.map((relay): RelayVerdict => ({ relay, verdict: 'will-bounce', statusCodes: ['5.1.10'], summary: `Returns it: ${input.domain} accepts no mail.`, evidence: [{ kind: 'mx', subject: input.domain, bearing: 'blocks', detail: 'null MX (RFC 7505)' }] }));
    return { verdict: 'will-bounce', summary: `${input.domain} publishes a null MX: it accepts no mail, and any message to it comes back (5.1.10).`, reasons: [], bounceCodes: [{ code: '5.1.10', when: BOUNCE_WHEN['5.1.10']! }], relays };
  }
  if (input.hosts.length === 0) return unknownForecast(`${input.domain} publishes no mail server this check could look up (no MX, and no IPv4 address for the domain itself).`);
  return undefined;
}

function unknownForecast(summary: string): Forecast {
  return { verdict: 'unknown', summary, reasons: [], relays: RELAY_BEHAVIOURS.map((relay) => ({ relay, verdict: 'unknown', summary: 'Cannot be forecast.', evidence: [] })) };
}

/** What one relay behaviour does, over all MX hosts in preference order. */
function relayVerdict(relay: RelayBehaviour, choice: SecurityChoice, facts: readonly MxFacts[], unchecked: number): RelayVerdict {
  const outcomes = facts.map((f) => ({ host: f.name, outcome: hostOutcome(f, relay, choice) }));
  const evidence = dedupe(outcomes.flatMap((o) => o.outcome.evidence));
  const accepting = outcomes.filter((o): o is { host: string; outcome: Extract<HostOutcome, { kind: 'accepts' }> } => o.outcome.kind === 'accepts');
  const unknowns = outcomes.filter((o) => o.outcome.kind === 'unknown').length + unchecked;
  if (accepting.length > 0) {
    // An attacker who blocks the better MX hosts can steer the relay to the weakest one that accepts.
    // With REQUIRETLS an enforcing relay never uses an MX it cannot authenticate, so unchecked hosts cannot weaken it.
    const strict = choice === 'require-tls' && relay !== 'relaxed';
    const protections = accepting.map((a) => a.outcome.protection);
    if (unknowns > 0 && !strict) protections.push('unknown');
    const protection = protections.reduce((worst, p) => (STRENGTH.indexOf(p) < STRENGTH.indexOf(worst) ? p : worst));
    const via = accepting[0]!.host;
    const passed = accepting.map((a) => a.outcome.passedOn);
    const passedOn = choice !== 'require-tls' ? undefined : passed.every((p) => p === true) ? true : passed.some((p) => p === false) ? false : 'unknown';
    const onward = passedOn === false ? ', without passing REQUIRETLS on, so later hops are not bound by it' : passedOn === 'unknown' ? '; whether REQUIRETLS is passed on could not be checked' : '';
    return { relay, verdict: 'deliverable', via, protection, ...(passedOn !== undefined ? { requireTlsPassedOn: passedOn } : {}), summary: `Delivers it to ${via} ${PROTECTION_WORDS[protection]}${onward}.`, evidence };
  }
  if (unknowns > 0) return { relay, verdict: 'unknown', summary: 'Cannot be forecast: an MX that could decide it could not be checked from here.', evidence };
  const refusals = outcomes.map((o) => o.outcome).filter((o): o is Extract<HostOutcome, { kind: 'refuses' }> => o.kind === 'refuses');
  const defer = refusals.some((r) => r.effect === 'defer');
  const statusCodes = [...new Set(refusals.flatMap((r) => r.codes))].sort().reverse();
  const ruleReasons = refusals.map((r) => r.reason).filter((r): r is string => r !== undefined);
  const blocked = ruleReasons.length ? ruleReasons : evidence.filter((e) => e.bearing === 'blocks').map((e) => e.detail);
  return {
    relay,
    verdict: defer ? 'will-defer' : 'will-bounce',
    statusCodes,
    summary: `${defer ? 'Holds it in its queue' : 'Returns it to you'} (${statusCodes.join(' or ')}): ${[...new Set(blocked)].slice(0, 3).join('; ') || 'no MX meets its rules'}.`,
    evidence,
  };
}

function dedupe(evidence: readonly ForecastEvidence[]): ForecastEvidence[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const key = `${e.kind}|${e.subject}|${e.bearing}|${e.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const relaysFor = (choice: SecurityChoice, facts: readonly MxFacts[], unchecked: number): RelayVerdict[] => RELAY_BEHAVIOURS.map((relay) => relayVerdict(relay, choice, facts, unchecked));
const byRelay = (relays: readonly RelayVerdict[], relay: RelayBehaviour): RelayVerdict => relays.find((r) => r.relay === relay)!;
const reasonLines = (relays: readonly RelayVerdict[]): string[] => relays.map((r) => `${capitalise(RELAY_NAMES[r.relay])}: ${r.verdict === 'unknown' ? 'cannot be forecast' : r.summary.charAt(0).toLowerCase() + r.summary.slice(1)}`);
const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function bounceCodesOf(relays: readonly RelayVerdict[]): { code: string; when: string }[] {
  const codes = [...new Set(relays.filter((r) => r.verdict === 'will-bounce').flatMap((r) => r.statusCodes ?? []))].sort().reverse();
  return codes.map((code) => ({ code, when: BOUNCE_WHEN[code] ?? 'as the relay reports' }));
}

function requireTlsForecast(input: ForecastInput, facts: readonly MxFacts[], unchecked: number): Forecast {
  const none = noMail(input);
  if (none) return none;
  const relays = relaysFor('require-tls', facts, unchecked);
  const strict = AUTHENTICATING.map((r) => byRelay(relays, r));
  const delivering = strict.filter((r) => r.verdict === 'deliverable');
  const bouncing = strict.filter((r) => r.verdict === 'will-bounce');
  const relaxed = byRelay(relays, 'relaxed');
  const bounceCodes = bounceCodesOf(strict);
  const codeWords = bounceCodes.map((c) => c.code).join(' or ');
  const reasons = reasonLines(relays);
  let verdict: Forecast['verdict'];
  let summary: string;
  if (delivering.length === strict.length) {
    verdict = 'deliverable';
    summary = `Relays that enforce REQUIRETLS deliver it to ${delivering[0]!.via} over authenticated TLS. A relay that does not authenticate the next hop (Postfix's default "may") returns it instead.`;
  } else if (bouncing.length === strict.length) {
    verdict = 'will-bounce';
    summary = `No MX of ${input.domain} meets RFC 8689's requirements for any relay that enforces them: a message sent with "Require TLS on every hop" comes back to you (${codeWords}).${relaxed.verdict === 'deliverable' ? ' A relay that relaxes REQUIRETLS would deliver it anyway, without the guarantee.' : ''}`;
  } else if (delivering.length > 0 && bouncing.length > 0) {
    verdict = 'depends-on-relay';
    summary = `Whether it arrives depends on your provider's relay: delivered by ${listOf(delivering.map((r) => RELAY_SHORT[r.relay]))}; returned (${codeWords}) by ${listOf(bouncing.map((r) => RELAY_SHORT[r.relay]))}.`;
  } else {
    verdict = 'unknown';
    const known = [...delivering.map((r) => `${RELAY_SHORT[r.relay]} deliver it`), ...bouncing.map((r) => `${RELAY_SHORT[r.relay]} return it (${(r.statusCodes ?? []).join(' or ')})`)];
    summary = `Some MX hosts or policies of ${input.domain} could not be checked from here, so delivery with REQUIRETLS cannot be forecast for every relay${known.length ? `; known: ${known.join('; ')}` : ''}.`;
  }
  return { verdict, summary, reasons, ...(bounceCodes.length && verdict !== 'deliverable' && verdict !== 'unknown' ? { bounceCodes } : {}), relays };
}

function defaultForecast(input: ForecastInput, facts: readonly MxFacts[], unchecked: number): Forecast {
  const none = noMail(input);
  if (none) return none;
  const relays = relaysFor('default', facts, unchecked);
  const aware = byRelay(relays, 'rfc8689');
  const plain = byRelay(relays, 'opportunistic');
  const reasons = reasonLines(relays);
  const mismatched = facts.filter((f) => f.dane === 'mismatch').map((f) => f.name);
  let verdict: Forecast['verdict'];
  let summary: string;
  if (aware.verdict === 'deliverable' && aware.protection === 'authenticated') {
    verdict = 'policy-protected';
    const by = facts.every((f) => f.dane === 'match' || f.dane === 'mismatch') ? 'DANE' : facts.every((f) => f.dane === 'match' || f.dane === 'mismatch' || f.sts !== 'none') ? 'DANE or MTA-STS' : 'their policy';
    summary = `Senders that honour ${by} deliver only over authenticated TLS${mismatched.length ? ` (and hold back from ${mismatched.join(', ')}, whose TLSA records do not match its certificate)` : ''}; senders that don't still use TLS, which an active attacker could strip.`;
  } else if (aware.verdict === 'will-defer' && plain.verdict === 'deliverable') {
    verdict = 'held-by-policy';
    const why = mismatched.length ? `the TLSA records of ${mismatched.join(', ')} do not match ${mismatched.length === 1 ? 'its certificate' : 'their certificates'}` : `no MX meets ${input.domain}'s MTA-STS policy`;
    summary = `Senders that honour DANE and MTA-STS will hold it in their queue (${(aware.statusCodes ?? []).join(' or ')}) and eventually return it: ${why}. Others deliver it opportunistically, ${PROTECTION_WORDS[plain.protection ?? 'unknown']}.`;
  } else if (plain.verdict === 'deliverable' && plain.protection === 'cleartext') {
    verdict = 'cleartext-possible';
    summary = 'At least one MX does not offer STARTTLS (or its TLS fails): relays that do not insist on TLS deliver to it in cleartext.';
  } else if (aware.verdict === 'unknown') {
    verdict = 'unknown';
    summary = `Some MX hosts or policies of ${input.domain} could not be checked from here, so how the last hop is protected cannot be forecast.`;
  } else if (plain.verdict === 'deliverable') {
    verdict = 'opportunistic';
    summary = `The MX hosts offer TLS, but ${facts.some((f) => f.dane === 'match' || f.sts === 'listed') ? 'the policies do not cover every MX' : 'nothing tells senders to insist on it'}: an active attacker can strip it.`;
  } else {
    verdict = 'unknown';
    summary = 'No MX could be checked from here, so the last hop cannot be forecast.';
  }
  return { verdict, summary, reasons, relays };
}

function tlsOptionalForecast(input: ForecastInput, facts: readonly MxFacts[], unchecked: number): Forecast {
  const none = noMail(input);
  if (none) return none;
  const relays = relaysFor('tls-optional', facts, unchecked);
  const reasons = reasonLines(relays);
  const ignored: string[] = [];
  if (facts.some((f) => f.sts === 'listed' || f.sts === 'not-listed')) ignored.push('its MTA-STS policy (enforce)');
  if (facts.some((f) => f.dane !== 'none' && f.dane !== 'unknown')) ignored.push('its DANE TLSA records');
  const policiesUnknown = facts.some((f) => f.dane === 'unknown' || f.sts === 'unknown');
  const relaysToo = 'Relays may also drop their own TLS requirements for this message (Postfix lowers its own level to opportunistic TLS for it)';
  const cleartext = facts.some((f) => f.checked && f.starttls !== 'offered') ? ', and an MX without STARTTLS gets it in cleartext' : '';
  if (!ignored.length && policiesUnknown) {
    return { verdict: 'unknown', summary: `${input.domain}'s MTA-STS and DANE policies could not all be checked, so what "TLS-Required: No" would override is unknown. ${relaysToo}.`, reasons, relays };
  }
  if (ignored.length) {
    return { verdict: 'policy-ignored', summary: `${input.domain} asks senders to require TLS through ${ignored.join(' and ')}; "TLS-Required: No" tells relays to ignore that and deliver even without TLS. ${relaysToo}${cleartext}.`, reasons, relays };
  }
  return { verdict: 'no-policy-to-ignore', summary: `${input.domain} publishes no policy requiring TLS, but "TLS-Required: No" still matters: ${relaysToo.charAt(0).toLowerCase()}${relaysToo.slice(1)}, so an active attacker can strip TLS on every hop${cleartext}.`, reasons, relays };
}
