import { isIP } from 'node:net';
import mtaSts from 'mailauth/lib/mta-sts.js';
import type { MtaStsPolicy } from '../../../shared/types/posture.js';
import { recordData, type Resolver } from '../dns/dns-client.js';
import { HoplightError } from '../errors.js';
import { httpsGet } from '../net/https-get.js';
import type { CachedPolicy, MtaStsCache } from './mta-sts-cache.js';

/** What we learned about a domain's MTA-STS. */
export interface MtaStsLookup {
  readonly record: boolean;
  readonly policy?: MtaStsPolicy;
  readonly problem?: string;
  /**
   * Where the policy came from, as a sender would have it (RFC 8461 §5.1): fetched now; the cache, because the
   * record's id had not changed; or the cache, because the live policy (or record) could not be had (`problem`
   * then says why).
   */
  readonly source?: 'fetched' | 'cache' | 'cache-fallback';
  readonly cachedAt?: string;
}

/** Options for the HTTPS policy fetch; the tests trust their own CA and use their own port. */
export interface PolicyFetchOptions {
  readonly extraCaPem?: string;
  readonly httpsPort?: number;
  readonly timeoutMs?: number;
  /** Policies kept as a sender keeps them; without one, every lookup fetches. */
  readonly cache?: MtaStsCache;
}

/** mailauth's resolver contract, answered from our DNSSEC-aware resolver. */
function mailauthResolver(resolver: Resolver) {
  return async (name: string, type: string): Promise<unknown[]> => {
    const answer = await resolver.query(name, type as 'TXT' | 'A' | 'AAAA');
    if (answer.rcode === 'NXDOMAIN') throw Object.assign(new Error(`${name} does not exist`), { code: 'ENOTFOUND' });
    if (answer.answers.length === 0) throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENODATA' });
    return answer.answers.map((a) => recordData(a)).map((data) => (type === 'TXT' ? [data].flat().map((part) => String(part)) : data));
  };
}

/**
 * RFC 8461: the `_mta-sts` TXT record (mailauth's resolvePolicy), then the policy over HTTPS from
 * `mta-sts.<domain>` with a verified certificate and no redirects (§3.3), parsed by mailauth's parsePolicy.
 * The fetch is ours so that the resolver and the trusted CAs are parameters, not the process's globals.
 */
export async function lookupMtaSts(domain: string, resolver: Resolver, options: PolicyFetchOptions = {}): Promise<MtaStsLookup> {
  const cached = options.cache?.get(domain);
  // A cached policy within its max_age stands in when the live one cannot be had (RFC 8461 §5.1), and says so.
  const fallback = (live: MtaStsLookup): MtaStsLookup => (cached && !live.policy ? { record: live.record, policy: cached.policy, source: 'cache-fallback', cachedAt: cached.fetchedAt, problem: `${live.problem ?? 'no live policy'}; the cached policy (fetched ${cached.fetchedAt}, within its max_age) was used, as a sender does` } : live);
  let live: MtaStsLookup;
  try {
    live = await lookupLive(domain, resolver, options, cached);
  } catch (error) {
    if (!cached) throw error;
    return fallback({ record: true, problem: `the _mta-sts record could not be looked up (${(error as Error).message})` });
  }
  if (live.source === 'fetched' && live.policy) options.cache?.put(domain, live.policy);
  return live.record ? fallback(live) : cached ? fallback({ record: false, problem: 'no _mta-sts record is published now' }) : live;
}

async function lookupLive(domain: string, resolver: Resolver, options: PolicyFetchOptions, cached: CachedPolicy | undefined): Promise<MtaStsLookup> {
  let id: string | false;
  try {
    id = await mtaSts.resolvePolicy(domain, { resolver: mailauthResolver(resolver) });
  } catch (error) {
    // Our resolver failing is "could not check", not "the record is broken".
    if (error instanceof HoplightError) throw error;
    return { record: true, problem: `the _mta-sts record is invalid: ${(error as Error).message || (error as { code?: string }).code}` };
  }
  if (!id) return { record: false };
  // The same id as the cached policy's: the policy has not changed, and is not fetched again (§3.3).
  if (cached && cached.policy.id === id) return { record: true, policy: cached.policy, source: 'cache', cachedAt: cached.fetchedAt };
  const host = `mta-sts.${domain}`;
  let addresses: string[];
  try {
    addresses = (await resolver.query(host, 'A')).answers.map((a) => String(recordData(a)));
  } catch (error) {
    return { record: true, problem: `${host} could not be resolved: ${(error as Error).message}` };
  }
  const address = addresses.find((a) => isIP(a));
  if (!address) return { record: true, problem: `${host} has no address` };
  let body: Buffer;
  try {
    body = await httpsGet({ address, host, path: '/.well-known/mta-sts.txt', maxBytes: 64 * 1024, ...(options.httpsPort ? { port: options.httpsPort } : {}), ...(options.extraCaPem ? { extraCaPem: options.extraCaPem } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  } catch (error) {
    return { record: true, problem: `the policy could not be fetched from https://${host}/.well-known/mta-sts.txt: ${(error as Error).message}` };
  }
  try {
    return { record: true, policy: { id, ...readPolicy(body) }, source: 'fetched' };
  } catch (error) {
    return { record: true, problem: `the policy is invalid: ${(error as Error).message}` };
  }
}

/**
 * An MTA-STS policy file (RFC 8461 §3.2), parsed by mailauth and then held to the RFC: a known mode, max_age
 * within 0…31557600, and each mx pattern a host name with at most one leading "*." label. Throws a plain Error
 * (its message says what is wrong) for anything else.
 */
export function readPolicy(body: Buffer | string): Omit<MtaStsPolicy, 'id'> {
  const parsed = mtaSts.parsePolicy(body) as { mode?: unknown; maxAge?: unknown; mx?: unknown };
  if (parsed.mode !== 'enforce' && parsed.mode !== 'testing' && parsed.mode !== 'none') throw new Error(`unknown mode "${String(parsed.mode).slice(0, 40)}"`);
  const maxAge = Number(parsed.maxAge);
  if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 31_557_600) throw new Error(`max_age ${String(parsed.maxAge).slice(0, 40)} is outside 0…31557600`);
  const mx = Array.isArray(parsed.mx) ? parsed.mx.map(String) : [];
  const bad = mx.find((m) => !MX_PATTERN.test(m));
  if (bad !== undefined) throw new Error(`"${bad.slice(0, 80)}" is not an mx pattern`);
  if (parsed.mode !== 'none' && mx.length === 0) throw new Error('no mx pattern');
  return { mode: parsed.mode, maxAge, mx };
}

/** RFC 8461 §3.2 mx: a host name, or "*." and one. */
const MX_PATTERN = /^(?:\*\.)?(?=.{1,253}$)(?!-)[A-Za-z0-9_-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9_-]{1,63}(?<!-))+\.?$/;

/** Whether an MX host name is allowed by the policy (mailauth's validateMx: exact or one leading wildcard label). */
export function mxAllowed(mx: string, policy: MtaStsPolicy): { matched: boolean; pattern?: string } {
  const result = mtaSts.validateMx(mx, { mode: policy.mode, mx: [...policy.mx] }) as { valid: boolean; match?: string };
  return { matched: result.valid && policy.mode !== 'none', ...(result.match ? { pattern: result.match } : {}) };
}
