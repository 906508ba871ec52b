import { arc } from 'mailauth/lib/arc/index.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { getDomain } from 'tldts';
import type { VerifiedAuthentication, VerifiedSignature, VerifiedState } from '../../../shared/types/delivered.js';
import { recordData, type Resolver } from '../dns/dns-client.js';

/** What one lookup of a key came to: found, not published, or not answered (the last is "could not check"). */
type Lookup = 'found' | 'absent' | { readonly failed: string };

/**
 * mailauth's resolver contract over ours, recording how each lookup went: mailauth turns a DNS failure during ARC
 * validation into a plain "fail", which must read as "could not check" instead.
 */
function recordingResolver(resolver: Resolver) {
  const lookups = new Map<string, Lookup>();
  const resolve = async (name: string, type: string): Promise<unknown[]> => {
    const key = name.toLowerCase();
    try {
      const answer = await resolver.query(name, type as 'TXT');
      if (answer.rcode === 'NXDOMAIN' || answer.answers.length === 0) {
        lookups.set(key, 'absent');
        throw Object.assign(new Error(`no ${type} record for ${name}`), { code: answer.rcode === 'NXDOMAIN' ? 'ENOTFOUND' : 'ENODATA' });
      }
      lookups.set(key, 'found');
      return answer.answers.map((a) => recordData(a)).map((data) => (type === 'TXT' ? [data].flat().map((part) => (Buffer.isBuffer(part) ? part.toString('utf8') : String(part))) : data));
    } catch (error) {
      if (!lookups.has(key)) lookups.set(key, { failed: (error as Error).message });
      throw error;
    }
  };
  return { resolve, lookups };
}

/**
 * mailauth prints a line to stdout when a signature's l= does not match the body; stdout is the CLI's JSON
 * document, so nothing may reach it. Only that one library call runs with console.log silenced.
 */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await work();
  } finally {
    console.log = log;
  }
}

function signatureState(status: { result: string; comment?: string }): { state: VerifiedState; detail: string } {
  const comment = status.comment ?? '';
  switch (status.result) {
    case 'pass':
      return { state: 'pass', detail: 'signature valid with the key published now' };
    case 'fail':
      return { state: 'fail', detail: comment === 'bad signature' ? 'the signature does not match the signed header fields' : comment || 'the signature does not verify' };
    case 'temperror':
      return { state: 'could-not-check', detail: `the key could not be looked up (${comment.replace(/^DNS failure: /, '') || 'DNS failure'})` };
    case 'policy':
      return { state: 'fail', detail: 'the key is too short to be trusted (under 1024 bits)' };
    case 'neutral':
      if (/body hash/.test(comment)) return { state: 'fail', detail: 'the body changed after it was signed' };
      if (comment === 'no key') return { state: 'could-not-check', detail: 'the domain does not publish this key (any more)' };
      if (comment === 'expired' || comment === 'invalid expiration') return { state: 'fail', detail: 'the signature has expired' };
      return { state: 'fail', detail: comment || 'the signature could not be verified' };
    default:
      return { state: 'fail', detail: comment || status.result };
  }
}

/** The organisational domain (the public suffix plus one label), for DMARC's relaxed alignment. */
function orgDomain(domain: string): string {
  return (getDomain(domain, { allowPrivateDomains: true }) ?? domain).toLowerCase();
}

/**
 * Verifies the message's DKIM signatures and ARC chain now, with mailauth, looking keys up through `resolver`.
 * SPF is not re-checked (it depends on the sending server and address at delivery time), so DMARC can only be
 * confirmed through an aligned DKIM signature. A key that cannot be looked up is "could not check", never pass.
 */
export async function verifyAuthentication(raw: Buffer, resolver: Resolver, now = new Date()): Promise<VerifiedAuthentication> {
  const { resolve, lookups } = recordingResolver(resolver);
  const dkim = await quietly(() => dkimVerify(raw, { resolver: resolve, curTime: now }));
  const signatures: VerifiedSignature[] = dkim.results
    .filter((r) => r.status.result !== 'none' && r.signingDomain)
    .map((r) => {
      const { state, detail } = signatureState(r.status);
      return { domain: (r.signingDomain as string).toLowerCase(), selector: r.selector ?? '', state, aligned: Boolean(r.status.aligned), detail };
    });
  const fromAddress = dkim.headerFrom?.[0];
  const fromDomain = fromAddress?.includes('@') ? fromAddress.split('@').pop()?.toLowerCase() : undefined;
  const aligned = fromDomain ? signatures.filter((s) => s.state === 'pass' && orgDomain(s.domain) === orgDomain(fromDomain)) : [];

  let arcState: VerifiedAuthentication['arc'] = { state: 'none', instances: 0, detail: 'the message carries no ARC chain' };
  if (dkim.arc) {
    // The ARC keys were looked up by dkimVerify (the ARC-Message-Signature) and by arc() (the seal): every lookup
    // that was not for a DKIM-Signature's key.
    const dkimKeys = new Set(signatures.map((s) => `${s.selector}._domainkey.${s.domain}`.toLowerCase()));
    const result = await quietly(() => arc(dkim.arc, { resolver: resolve }));
    const instances = typeof result.i === 'number' ? result.i : 0;
    const failedLookup = [...lookups.entries()].find(([name, outcome]) => !dkimKeys.has(name) && typeof outcome === 'object');
    if (result.status.result === 'pass') arcState = { state: 'pass', instances, detail: `the chain of ${instances} set${instances === 1 ? '' : 's'} validates with the keys published now` };
    else if (result.status.result === 'none') arcState = { state: 'none', instances: 0, detail: 'the message carries no ARC chain' };
    else if (failedLookup) arcState = { state: 'could-not-check', instances, detail: `the key at ${failedLookup[0]} could not be looked up (${(failedLookup[1] as { failed: string }).failed})` };
    else {
      const absent = [...lookups.entries()].find(([name, outcome]) => !dkimKeys.has(name) && outcome === 'absent');
      arcState = absent
        ? { state: 'could-not-check', instances, detail: `the sealer does not publish its key at ${absent[0]} (any more)` }
        : { state: 'fail', instances, detail: result.status.comment || 'the ARC chain does not validate' };
    }
  }

  const dmarc: VerifiedAuthentication['dmarc'] = aligned.length
    ? { state: 'pass', ...(fromDomain ? { fromDomain } : {}), detail: `an aligned DKIM signature (d=${(aligned[0] as VerifiedSignature).domain}) verifies for ${fromDomain}` }
    : {
        state: 'not-rechecked',
        ...(fromDomain ? { fromDomain } : {}),
        detail: fromDomain ? `no aligned DKIM signature verifies for ${fromDomain}; SPF cannot be re-checked after delivery` : 'the From field names no domain',
      };
  return { checkedAt: now.toISOString(), resolver: `${resolver.address.host}:${resolver.address.port}`, dkim: signatures, arc: arcState, dmarc };
}
