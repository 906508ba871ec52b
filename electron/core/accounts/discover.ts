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

/** Reads the outgoing SMTP servers of a Mozilla autoconfig file (clientConfig version 1.1). */
export function parseAutoconfig(xml: string, address: string): Omit<DiscoveredServer, 'source'>[] {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml) as { clientConfig?: { emailProvider?: { outgoingServer?: unknown } } };
  const outgoing = [parsed.clientConfig?.emailProvider?.outgoingServer ?? []].flat() as Record<string, unknown>[];
  const local = address.slice(0, address.lastIndexOf('@'));
  return outgoing
    .filter((s) => s['@type'] === 'smtp')
    .map((s) => {
      const socketType = String(s.socketType ?? '').toUpperCase();
      const security = socketType === 'SSL' || socketType === 'TLS' ? 'implicit' : socketType === 'STARTTLS' ? 'starttls' : undefined;
      const user = typeof s.username === 'string' ? s.username.replace('%EMAILADDRESS%', address).replace('%EMAILLOCALPART%', local) : undefined;
      return { host: String(s.hostname ?? ''), port: Number(s.port), security, ...(user ? { user } : {}) };
    })
    .filter((s): s is Omit<DiscoveredServer, 'source'> => s.security !== undefined && s.host !== '' && Number.isInteger(s.port) && s.port > 0 && s.port < 65536);
}
