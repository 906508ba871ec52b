import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Attempt, ServerCheckResult } from '../../../shared/types/posture.js';
import { recordData, type Resolver } from '../dns/dns-client.js';
import { HoplightError } from '../errors.js';

/** At most this many addresses of one host are checked, in parallel. */
export const MAX_HOST_ADDRESSES = 4;

/**
 * Every address of a host (IPv4 first, then IPv6), through the given resolver or the system's: a relay or a client
 * may reach any of them. An IP address is itself.
 */
export async function hostAddresses(host: string, resolver?: Resolver): Promise<string[]> {
  if (isIP(host)) return [host];
  let found: string[];
  if (resolver) {
    const [a, aaaa] = await Promise.all([resolver.query(host, 'A'), resolver.query(host, 'AAAA')]);
    found = [...a.answers, ...aaaa.answers].filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => String(recordData(r)));
  } else {
    try {
      found = (await lookup(host, { all: true, verbatim: true })).sort((x, y) => x.family - y.family).map((r) => r.address);
    } catch (error) {
      throw new HoplightError('ECONNECTION', `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
    }
  }
  if (found.length === 0) throw new HoplightError('ECONNECTION', `${host} has no address.`);
  return [...new Set(found)].slice(0, MAX_HOST_ADDRESSES);
}

/** How the addresses of one host differ (REQUIRETLS after TLS, the certificate, reachability), or undefined. */
export function addressDisagreement(checks: readonly { readonly address: string; readonly server: Attempt<ServerCheckResult> }[]): string | undefined {
  if (checks.length < 2) return undefined;
  const describe = (server: Attempt<ServerCheckResult>): { reach: string; requireTls: string; certificate: string } => {
    if (server.status !== 'completed' || server.result.connection.status !== 'completed') return { reach: 'unreachable', requireTls: '?', certificate: '?' };
    const r = server.result;
    return {
      reach: 'reachable',
      requireTls: r.extensions.status === 'completed' ? (r.extensions.result.requireTlsAfterTls ? 'REQUIRETLS' : 'no REQUIRETLS') : '?',
      certificate: r.certificate.status === 'completed' ? r.certificate.result.leaf.fingerprintSha256.slice(0, 11) : '?',
    };
  };
  const seen = checks.map((a) => ({ address: a.address, ...describe(a.server) }));
  const differs = (key: 'reach' | 'requireTls' | 'certificate'): boolean => new Set(seen.map((s) => s[key]).filter((v) => v !== '?')).size > 1;
  if (!differs('reach') && !differs('requireTls') && !differs('certificate')) return undefined;
  return seen.map((s) => `${s.address}: ${s.reach === 'reachable' ? `${s.requireTls}, certificate ${s.certificate}…` : 'unreachable'}`).join('; ');
}
