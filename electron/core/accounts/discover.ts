import { isIP } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import type { DiscoveredServer, DiscoveryResult } from '../../../shared/types/account.js';
import { recordData, type Resolver } from '../dns/dns-client.js';
import { parseMailbox } from '../message/address.js';
import { httpsGet } from '../net/https-get.js';

/** Options: the resolver and extra trusted CA are parameters, so tests stay on this machine. */
export interface DiscoveryOptions {
  readonly resolver: Resolver;
  readonly extraCaPem?: string;
  readonly httpsPort?: number;
  readonly timeoutMs?: number;
}

/**
 * Finds the submission server for an address: RFC 6186 SRV records (`_submissions._tcp` for implicit TLS, then
 * `_submission._tcp` for STARTTLS), then Mozilla's autoconfig file over verified HTTPS. Implicit TLS is preferred
 * (RFC 8314 §3.3). Cleartext-only entries are ignored. Nothing is saved: the user confirms what was found.
 */
export async function discoverSubmission(address: string, options: DiscoveryOptions): Promise<DiscoveryResult> {
  const mailbox = parseMailbox('address', address);
  const domain = mailbox.envelope.slice(mailbox.envelope.lastIndexOf('@') + 1);
  const steps: { what: string; outcome: string }[] = [];
  const candidates: DiscoveredServer[] = [];

  for (const [service, security] of [['_submissions._tcp', 'implicit'], ['_submission._tcp', 'starttls']] as const) {
    const name = `${service}.${domain}`;
    try {
      const answer = await options.resolver.query(name, 'SRV');
      const records = answer.answers
        .map((a) => recordData(a) as { priority: number; weight: number; port: number; target: string })
        .filter((r) => r.target && r.target !== '.') // RFC 2782: "." means "not offered here"
        .sort((a, b) => a.priority - b.priority || b.weight - a.weight);
      const validated = answer.authenticated ? ', DNSSEC-validated' : ', not DNSSEC-validated';
      steps.push({ what: `DNS SRV ${name}`, outcome: records.length ? records.map((r) => `${r.target}:${r.port}`).join(', ') + validated : 'none' });
      for (const r of records) candidates.push({ host: r.target.replace(/\.$/, ''), port: r.port, security, source: `DNS SRV ${name}${validated}` });
    } catch (error) {
      steps.push({ what: `DNS SRV ${name}`, outcome: `failed: ${(error as Error).message}` });
    }
  }

  const host = `autoconfig.${domain}`;
  const url = `https://${host}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(mailbox.address)}`;
  try {
    const addresses = (await options.resolver.query(host, 'A')).answers.map((a) => String(recordData(a))).filter((a) => isIP(a));
    if (!addresses[0]) steps.push({ what: url, outcome: `${host} does not resolve` });
    else {
      const xml = (
        await httpsGet({
          address: addresses[0],
          host,
          path: `/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(mailbox.address)}`,
          maxBytes: 256 * 1024,
          ...(options.httpsPort ? { port: options.httpsPort } : {}),
          ...(options.extraCaPem ? { extraCaPem: options.extraCaPem } : {}),
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        })
      ).toString('utf8');
      const found = parseAutoconfig(xml, mailbox.address).map((s) => ({ ...s, source: url }));
      steps.push({ what: url, outcome: found.length ? found.map((s) => `${s.host}:${s.port} ${s.security}`).join(', ') : 'no usable outgoing server (cleartext entries are ignored)' });
      candidates.push(...found);
    }
  } catch (error) {
    steps.push({ what: url, outcome: `failed: ${(error as Error).message}` });
  }

  // Implicit TLS first (RFC 8314), keeping each source's own order; duplicates removed.
  const seen = new Set<string>();
  const ordered = [...candidates.filter((c) => c.security === 'implicit'), ...candidates.filter((c) => c.security === 'starttls')].filter((c) => {
    const key = `${c.host.toLowerCase()}:${c.port}:${c.security}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { address: mailbox.address, domain, candidates: ordered, steps };
}

/** A host name an autoconfig file may name: DNS labels (RFC 1123), or an IP address; nothing else is connected to. */
const HOST_NAME = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$/;

/**
 * Reads the outgoing SMTP servers of a Mozilla autoconfig file (clientConfig version 1.1). The file comes from
 * the network: anything that is not a well-formed entry (a host that is not a host name, a port out of range,
 * a cleartext socket type, nested junk) is left out, and XML that cannot be read gives no server at all.
 */
export function parseAutoconfig(xml: string, address: string): Omit<DiscoveredServer, 'source'>[] {
  let parsed: { clientConfig?: { emailProvider?: { outgoingServer?: unknown } } };
  try {
    parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: false }).parse(xml) as typeof parsed;
  } catch {
    return [];
  }
  const outgoing = [parsed?.clientConfig?.emailProvider?.outgoingServer ?? []].flat().filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
  const local = address.slice(0, address.lastIndexOf('@'));
  const text = (value: unknown): string | undefined => (typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined);
  return outgoing
    .filter((s) => s['@type'] === 'smtp')
    .map((s) => {
      const socketType = (text(s.socketType) ?? '').toUpperCase();
      const security = socketType === 'SSL' || socketType === 'TLS' ? 'implicit' : socketType === 'STARTTLS' ? 'starttls' : undefined;
      const username = text(s.username);
      // eslint-disable-next-line no-control-regex -- control characters are what is refused
      const user = username !== undefined && username.length <= 256 && !/[\x00-\x1f\x7f]/.test(username) ? username.replace('%EMAILADDRESS%', address).replace('%EMAILLOCALPART%', local) : undefined;
      const host = text(s.hostname) ?? '';
      const port = text(s.port);
      return { host, port: port !== undefined && /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN, security, ...(user ? { user } : {}) };
    })
    .filter((s): s is Omit<DiscoveredServer, 'source'> => s.security !== undefined && (HOST_NAME.test(s.host) || isIP(s.host) !== 0) && Number.isInteger(s.port) && s.port > 0 && s.port < 65536);
}
