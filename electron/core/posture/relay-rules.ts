import type { ForecastEvidence, HopProtection, RelayBehaviour } from '../../../shared/types/posture.js';
import type { SecurityChoice } from '../../../shared/types/security.js';
import { evidenceOf, type MxFacts } from './mx-facts.js';

/** What one relay behaviour does with a message for one MX host. */
export type HostOutcome =
  | { readonly kind: 'accepts'; readonly protection: HopProtection; readonly passedOn?: boolean | 'unknown'; readonly evidence: readonly ForecastEvidence[] }
  | { readonly kind: 'refuses'; readonly effect: 'bounce' | 'defer'; readonly codes: readonly string[]; readonly reason?: string; readonly evidence: readonly ForecastEvidence[] }
  | { readonly kind: 'unknown'; readonly evidence: readonly ForecastEvidence[] };

type Key = keyof MxFacts['evidence'];
type Trail = (readonly [Key, ForecastEvidence['bearing']])[];

/**
 * The rules one relay behaviour applies to one MX, for one security choice. They follow RFC 8689 §4.2.1 (REQUIRETLS),
 * RFC 7672 §2.2 (DANE first: a validated TLSA record that does not match is a failure no PKIX certificate rescues),
 * RFC 8461 §4–5 (MTA-STS in enforce mode only) and RFC 8689 §5 (TLS-Required: No), and the status codes Postfix 3.11
 * was seen to use: 5.7.30 when REQUIRETLS is not announced or STARTTLS is missing where TLS is required, 5.7.10
 * when the next hop could not be authenticated (insecure MX, untrusted certificate, DANE mismatch, no policy).
 */
export function hostOutcome(facts: MxFacts, relay: RelayBehaviour, choice: SecurityChoice): HostOutcome {
  const trail: Trail = [];
  const note = (key: Key, bearing: ForecastEvidence['bearing']): void => void trail.push([key, bearing]);
  const out = (o: { kind: 'accepts'; protection: HopProtection; passedOn?: boolean | 'unknown' } | { kind: 'refuses'; effect: 'bounce' | 'defer'; codes: string[]; reason?: string } | { kind: 'unknown' }): HostOutcome => ({ ...o, evidence: evidenceOf(facts, trail) });
  // An MX not checked from here still has facts that need no connection (how it was found, its TLSA records): the
  // rules run on, and stop at "unknown" where they reach a fact only the connection could give.
  note('reachability', facts.checked ? 'supports' : 'unknown');
  if (choice === 'tls-optional') return opportunisticDelivery(facts, note, out);
  if (choice === 'default') return defaultDelivery(facts, relay, note, out);
  return requireTlsDelivery(facts, relay, note, out);
}

type Note = (key: Key, bearing: ForecastEvidence['bearing']) => void;
type Out = (o: { kind: 'accepts'; protection: HopProtection; passedOn?: boolean | 'unknown' } | { kind: 'refuses'; effect: 'bounce' | 'defer'; codes: string[]; reason?: string } | { kind: 'unknown' }) => HostOutcome;

/** The TLS level a relay applies to this host, before the message's own requirements. */
type Level = 'dane' | 'dane-unusable' | 'sts' | 'sts-unlisted' | 'verify' | 'may' | 'unknown';

function levelFor(facts: MxFacts, relay: RelayBehaviour, note: Note): Level {
  const daneAware = relay === 'rfc8689' || relay === 'dane' || relay === 'dane-mta-sts';
  const stsAware = relay === 'rfc8689' || relay === 'dane-mta-sts';
  if (daneAware) {
    if (facts.dane === 'unknown') {
      note('tlsa', 'unknown');
      return 'unknown';
    }
    if (facts.dane !== 'none') {
      note('mx', 'supports');
      note('tlsa', facts.dane === 'match' ? 'supports' : 'blocks');
      return facts.dane === 'unusable' ? 'dane-unusable' : 'dane';
    }
    note('tlsa', 'unknown');
  }
  if (stsAware) {
    if (facts.sts === 'unknown') {
      note('mta-sts', 'unknown');
      return 'unknown';
    }
    if (facts.sts !== 'none') {
      note('mta-sts', facts.sts === 'listed' ? 'supports' : 'blocks');
      return facts.sts === 'listed' ? 'sts' : 'sts-unlisted';
    }
    note('mta-sts', 'unknown');
  }
  return relay === 'verify' ? 'verify' : 'may';
}

/** TLS when offered, no certificate check, cleartext otherwise (and after a failed handshake). */
function opportunisticDelivery(facts: MxFacts, note: Note, out: Out): HostOutcome {
  if (facts.starttls === 'unknown') {
    note('starttls', 'unknown');
    return out({ kind: 'unknown' });
  }
  if (facts.starttls !== 'offered' || facts.tls === 'failed') {
    note(facts.starttls !== 'offered' ? 'starttls' : 'tls', 'blocks');
    return out({ kind: 'accepts', protection: 'cleartext' });
  }
  note('starttls', 'supports');
  return out({ kind: 'accepts', protection: 'encrypted' });
}

/** STARTTLS and a completed handshake, required: the refusal when either is missing. */
function tlsRequired(facts: MxFacts, note: Note, refuse: (codes: string[]) => HostOutcome, codes: { noStarttls: string[]; tlsFailed: string[] }, out: Out): HostOutcome | undefined {
  if (facts.starttls === 'unknown') {
    note('starttls', 'unknown');
    return out({ kind: 'unknown' });
  }
  if (facts.starttls !== 'offered') {
    note('starttls', 'blocks');
    return refuse(codes.noStarttls);
  }
  note('starttls', 'supports');
  if (facts.tls === 'failed') {
    note('tls', 'blocks');
    return refuse(codes.tlsFailed);
  }
  if (facts.tls === 'unknown') {
    note('tls', 'unknown');
    return out({ kind: 'unknown' });
  }
  return undefined;
}

function defaultDelivery(facts: MxFacts, relay: RelayBehaviour, note: Note, out: Out): HostOutcome {
  const level = levelFor(facts, relay, note);
  if (level === 'unknown') return out({ kind: 'unknown' });
  if (level === 'may') return opportunisticDelivery(facts, note, out);
  // Postfix defers with 4.7.4 when mandatory TLS is not offered, 4.7.5 when the certificate cannot be authenticated.
  const defer = (codes: string[]): HostOutcome => out({ kind: 'refuses', effect: 'defer', codes });
  // RFC 8461 §4.1: an MX outside an enforced policy is not used.
  if (level === 'sts-unlisted') return out({ kind: 'refuses', effect: 'defer', codes: ['4.7.5'], reason: `${facts.name} is not listed in the enforced MTA-STS policy` });
  const stop = tlsRequired(facts, note, defer, { noStarttls: ['4.7.4'], tlsFailed: ['4.7.5'] }, out);
  if (stop) return stop;
  if (level === 'dane-unusable') return out({ kind: 'accepts', protection: 'encrypted' }); // RFC 7672 §2.2: TLS, unauthenticated
  if (level === 'dane') return facts.dane === 'match' ? out({ kind: 'accepts', protection: 'authenticated' }) : defer(['4.7.5']);
  // sts or verify: the certificate must be PKIX-valid for the MX name.
  if (facts.pkix === 'unknown') {
    note('certificate', 'unknown');
    return out({ kind: 'unknown' });
  }
  note('certificate', facts.pkix === 'valid' ? 'supports' : 'blocks');
  if (facts.pkix === 'invalid') return defer(['4.7.5']);
  const foundSecurely = level === 'sts' || facts.mxSecure || facts.sts === 'listed';
  if (level === 'verify') note('mx', foundSecurely ? 'supports' : 'blocks');
  return out({ kind: 'accepts', protection: foundSecurely ? 'authenticated' : 'certificate-verified' });
}

function requireTlsDelivery(facts: MxFacts, relay: RelayBehaviour, note: Note, out: Out): HostOutcome {
  const bounce = (codes: string[]): HostOutcome => out({ kind: 'refuses', effect: 'bounce', codes });
  const tlsCodes = { noStarttls: ['5.7.30'], tlsFailed: ['5.7.10'] };
  const requireTlsAdvertised = (protection: HopProtection): HostOutcome => {
    if (facts.requireTls === 'unknown') {
      note('requiretls', 'unknown');
      return out({ kind: 'unknown' });
    }
    note('requiretls', facts.requireTls === 'advertised' ? 'supports' : 'blocks');
    return facts.requireTls === 'advertised' ? out({ kind: 'accepts', protection, passedOn: true }) : bounce(['5.7.30']);
  };
  const pkixThen = (protection: HopProtection): HostOutcome => {
    if (facts.pkix === 'unknown') {
      note('certificate', 'unknown');
      return out({ kind: 'unknown' });
    }
    note('certificate', facts.pkix === 'valid' ? 'supports' : 'blocks');
    return facts.pkix === 'valid' ? requireTlsAdvertised(protection) : bounce(['5.7.10']);
  };

  if (relay === 'relaxed') {
    // opportunistic+starttls: STARTTLS required; certificate not checked; REQUIRETLS passed on only where announced.
    const stop = tlsRequired(facts, note, bounce, { noStarttls: ['5.7.30', '5.7.10'], tlsFailed: [] }, out);
    if (stop) return stop.kind === 'refuses' && stop.codes.length === 0 ? out({ kind: 'unknown' }) : stop;
    note('requiretls', facts.requireTls === 'advertised' ? 'supports' : facts.requireTls === 'absent' ? 'blocks' : 'unknown');
    return out({ kind: 'accepts', protection: 'encrypted', passedOn: facts.requireTls === 'unknown' ? 'unknown' : facts.requireTls === 'advertised' });
  }
  if (relay === 'opportunistic') {
    // Without a certificate check a relay cannot meet RFC 8689 §4.2.1: it returns the message, whatever the MX does.
    const codes = facts.starttls === 'absent' || facts.starttls === 'refused' || facts.requireTls === 'absent' ? ['5.7.10', '5.7.30'] : ['5.7.10'];
    return out({ kind: 'refuses', effect: 'bounce', codes, reason: 'it does not authenticate next hops, which RFC 8689 requires' });
  }
  if (relay === 'rfc8689') {
    // RFC 8689 §4.2.1 step 1: the MX must be found securely, by DNSSEC or MTA-STS.
    if (!facts.mxSecure && facts.sts !== 'listed') {
      if (facts.sts === 'unknown') {
        note('mta-sts', 'unknown');
        return out({ kind: 'unknown' });
      }
      note('mx', 'blocks');
      note('mta-sts', 'blocks');
      return bounce(['5.7.10']);
    }
    note(facts.mxSecure ? 'mx' : 'mta-sts', 'supports');
    const stop = tlsRequired(facts, note, bounce, tlsCodes, out);
    if (stop) return stop;
    if (facts.dane === 'unknown') {
      note('tlsa', 'unknown');
      return out({ kind: 'unknown' });
    }
    if (facts.dane === 'match' || facts.dane === 'mismatch') {
      note('tlsa', facts.dane === 'match' ? 'supports' : 'blocks');
      return facts.dane === 'match' ? requireTlsAdvertised('authenticated') : bounce(['5.7.10']);
    }
    return pkixThen('authenticated');
  }
  if (relay === 'verify') {
    const stop = tlsRequired(facts, note, bounce, tlsCodes, out);
    if (stop) return stop;
    const foundSecurely = facts.mxSecure || facts.sts === 'listed';
    note('mx', foundSecurely ? 'supports' : 'blocks');
    return pkixThen(foundSecurely ? 'authenticated' : 'certificate-verified');
  }
  // dane, dane-mta-sts
  const level = levelFor(facts, relay, note);
  if (level === 'unknown') return out({ kind: 'unknown' });
  if (level === 'may' || level === 'dane-unusable' || level === 'sts-unlisted') {
    // Postfix 3.11: no DANE or MTA-STS policy the relay uses, or none it can authenticate with: "nocertmatch".
    // Where STARTTLS is missing too, which of the two codes comes first was not observed: both are named.
    const reason =
      level === 'dane-unusable'
        ? `the TLSA records of ${facts.name} are unusable for SMTP, so it cannot authenticate the certificate`
        : level === 'sts-unlisted'
          ? `${facts.name} is not listed in the enforced MTA-STS policy`
          : `it has no policy to authenticate ${facts.name} with (${facts.evidence.tlsa}${relay === 'dane-mta-sts' ? `; ${facts.evidence['mta-sts']}` : ''})`;
    return out({ kind: 'refuses', effect: 'bounce', codes: facts.starttls === 'offered' || facts.starttls === 'unknown' ? ['5.7.10'] : ['5.7.10', '5.7.30'], reason });
  }
  const stop = tlsRequired(facts, note, bounce, tlsCodes, out);
  if (stop) return stop;
  if (level === 'dane') return facts.dane === 'match' ? requireTlsAdvertised('authenticated') : bounce(['5.7.10']);
  return pkixThen('authenticated'); // sts: a certificate valid for a listed MX name
}
