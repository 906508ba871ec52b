import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dataDir } from '../core/data-dir.js';
import { FileMtaStsCache } from '../core/posture/mta-sts-cache.js';
import { HoplightError, inputError } from '../core/errors.js';
import { MAX_CA_FILE_BYTES, readLocalFile } from '../core/files/local-file.js';
import { EXIT } from '../core/exit-codes.js';
import { isIP, isIPv6 } from 'node:net';
import { addressDisagreement, hostAddresses } from '../core/posture/host-addresses.js';
import { checkServer } from '../core/posture/server-check.js';
import { parseDeadline, parsePort } from '../core/server-settings.js';
import { createResolver, parseResolverAddress, systemResolverAddress } from '../core/dns/dns-client.js';
import { checkDomain } from '../core/posture/domain-check.js';
import { checkDomains, DEFAULT_BATCH_CONCURRENCY, parseDomainList, summariseRow } from '../core/posture/domain-batch.js';
import { renderDomainCheck, renderServerCheck } from '../core/report/render-posture.js';
import type { CheckStep } from '../../shared/types/posture.js';
import { visible } from '../core/report/visible.js';
import { terminalStyle } from './terminal.js';

/** `hoplight check --help`. */
export const CHECK_USAGE = `Usage: hoplight check HOST[:PORT] [--security starttls|implicit|auto] [--name TLS_NAME] [--resolver IP[:PORT]] [--ca FILE] [--deadline SECS] [--json]
       hoplight check HOST --ports 25,465,587[,PORT/starttls|PORT/implicit…] [--name TLS_NAME] [--ca FILE] [--json]
       hoplight check --domain DOMAIN [DOMAIN…] [--domains-file FILE] [--concurrency N] [--resolver IP[:PORT]] [--ca FILE] [--json]

Checks how well a mail server protects mail in transit: STARTTLS, TLS versions, certificate, OCSP stapling,
REQUIRETLS and other extensions, AUTH before TLS, STARTTLS command injection. It never logs in or sends mail.
PORT defaults to 587; --security auto (the default) means implicit TLS on 465 and STARTTLS elsewhere.

With --domain: the domain's MX hosts (DNSSEC-validated or not, as the resolver says), each MX's posture on port
25, MTA-STS, DANE, TLS-RPT, and a forecast of the last hop for each security choice. The resolver defaults to the
system's; it must validate DNSSEC for the AD bit to mean anything.

A HOST given by name is checked on each of its A and AAAA addresses (up to 4, in parallel; through --resolver
when given), and addresses that behave differently are said; with --json, one array when there are several.

--ports checks several ports of one server in parallel (465 with implicit TLS, the others with STARTTLS) and
reports each; with --json, one array.

Several domains (after --domain, and/or --domains-file with one per line, # comments) are checked with bounded
concurrency (--concurrency, default ${DEFAULT_BATCH_CONCURRENCY}); a progress line goes to stderr on a terminal,
and a summary table (MX DNSSEC, MTA-STS, DANE, REQUIRETLS on every MX, the REQUIRETLS forecast) follows. With
--json, one JSON document per line (NDJSON) as each domain finishes. A domain that fails is a row with its error.

--deadline stops the whole check after that many seconds (default 60 for a server, 90 for a domain).

Exit codes: 0 the check ran (whatever it found); 2 bad input; 5 the server (or resolver) could not be reached at all.`;

/** Splits HOST[:PORT], allowing [IPv6]:PORT. */
export function parseTarget(target: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(target);
  const colons = target.split(':').length - 1;
  let host: string | undefined;
  let port: string | undefined;
  if (bracketed) [host, port] = [bracketed[1], bracketed[2]];
  else if (colons === 1) [host, port] = target.split(':');
  else if (colons > 1 && !isIPv6(target)) throw inputError('host', `"${target}" is neither HOST, HOST:PORT nor an IPv6 address (write [IPv6]:PORT).`);
  else host = target;
  if (!host) throw inputError('host', 'is empty.');
  if (bracketed && !isIPv6(host)) throw inputError('host', `"${host}" in brackets is not an IPv6 address.`);
  if (port === undefined) return { host };
  return { host, port: parsePort('port', port) };
}

/**
 * A one-line progress display on stderr when it is a terminal (steps done of those started, and the last one
 * started); nothing when stderr is a file or a pipe, so scripts and --json output stay clean.
 */
function terminalProgress(stream: NodeJS.WriteStream = process.stderr): { onProgress?: (step: CheckStep) => void; clear: () => void } {
  if (!stream.isTTY) return { clear: () => undefined };
  const states = new Map<string, CheckStep['state']>();
  let shown = false;
  return {
    onProgress: (step) => {
      states.set(step.id, step.state);
      const done = [...states.values()].filter((s) => s !== 'running').length;
      const line = `[${done}/${states.size}] ${step.state === 'running' ? '' : step.state === 'done' ? 'done: ' : 'stopped: '}${visible(step.label)}`;
      stream.write(`\r\x1b[K${line.slice(0, Math.max(20, (stream.columns ?? 80) - 1))}`);
      shown = true;
    },
    clear: () => {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

/** Runs `hoplight check`; returns the exit code. */
export async function runCheck(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: {
        security: { type: 'string' },
        name: { type: 'string' },
        ca: { type: 'string' },
        json: { type: 'boolean' },
        domain: { type: 'string' },
        'domains-file': { type: 'string' },
        concurrency: { type: 'string' },
        ports: { type: 'string' },
        resolver: { type: 'string' },
        deadline: { type: 'string' },
      },
    });
  } catch (error) {
    throw new HoplightError('EINPUT', `${(error as Error).message}\n\n${CHECK_USAGE}`);
  }
  const { values, positionals } = parsed;
  let extraCaPem: string | undefined;
  if (values.ca !== undefined) {
    extraCaPem = (await readLocalFile('ca', values.ca, MAX_CA_FILE_BYTES)).toString('utf8');
  }
  const deadlineMs = values.deadline !== undefined ? parseDeadline('deadline', values.deadline) : undefined;
  if (values.domain !== undefined || values['domains-file'] !== undefined) {
    if (values.security || values.name || values.ports) throw new HoplightError('EINPUT', `--domain takes no --security, --name or --ports.\n\n${CHECK_USAGE}`, { field: 'domain' });
    const address = values.resolver !== undefined ? parseResolverAddress(values.resolver) : systemResolverAddress();
    // The app's MTA-STS policy cache, in the shared data folder: a policy is used as a sender uses it.
    const mtaStsCache = new FileMtaStsCache(join(dataDir(), 'mta-sts-cache.json'));
    const listed = values['domains-file'] !== undefined ? parseDomainList((await readLocalFile('domains-file', values['domains-file'], MAX_DOMAINS_FILE_BYTES)).toString('utf8')) : [];
    const domains = parseDomainList([...(values.domain !== undefined ? [values.domain] : []), ...positionals, ...listed].join('\n'));
    if (domains.length === 0) throw inputError('domain', 'give at least one domain.');
    if (domains.length > 1 || values['domains-file'] !== undefined) {
      const concurrency = values.concurrency !== undefined ? Number(values.concurrency) : DEFAULT_BATCH_CONCURRENCY;
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw inputError('concurrency', 'must be a whole number from 1 to 64.');
      return runBatch(domains, { resolver: createResolver(address), mtaStsCache, ...(extraCaPem ? { extraCaPem } : {}), ...(deadlineMs ? { deadlineMs } : {}), concurrency }, values.json === true);
    }
    if (values.concurrency !== undefined) throw inputError('concurrency', 'goes with several domains.');
    const progress = terminalProgress();
    const result = await checkDomain({ domain: domains[0] as string, mtaStsCache, resolver: createResolver(address), ...(extraCaPem ? { extraCaPem } : {}), ...(deadlineMs ? { deadlineMs } : {}), ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) }).finally(progress.clear);
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${renderDomainCheck(result, terminalStyle())}\n`);
    return result.mx.status === 'error' && /did not answer|failed/.test(result.mx.reason) ? EXIT.connectionFailed : EXIT.accepted;
  }
  if (values.concurrency !== undefined) throw inputError('concurrency', 'goes with several domains.');
  if (positionals.length !== 1 || !positionals[0]) throw new HoplightError('EINPUT', `Give exactly one HOST[:PORT].\n\n${CHECK_USAGE}`, { field: 'host' });
  const security = values.security ?? 'auto';
  if (!['starttls', 'implicit', 'auto'].includes(security)) throw inputError('security', 'must be starttls, implicit or auto.');
  const target = parseTarget(positionals[0]);
  if (values.ports !== undefined) {
    if (target.port !== undefined) throw inputError('ports', 'give the ports with --ports or with HOST:PORT, not both.');
    if (values.security) throw inputError('security', 'goes with one port; with --ports, 465 is implicit TLS and the others STARTTLS.');
    // PORT or PORT/starttls or PORT/implicit; without a suffix, 465 is implicit TLS and any other port STARTTLS.
    const ports = values.ports.split(',').map((item) => {
      const [port, mode] = item.trim().split('/');
      if (mode !== undefined && mode !== 'starttls' && mode !== 'implicit') throw inputError('ports', `"${item}": a port may end in /starttls or /implicit.`);
      return { port: parsePort('ports', port ?? ''), security: (mode ?? 'auto') as 'starttls' | 'implicit' | 'auto' };
    });
    const results = await Promise.all(ports.map(({ port, security: mode }) => checkServer({ host: target.host, port, security: mode, ...(values.name ? { tlsName: values.name } : {}), ...(extraCaPem ? { extraCaPem } : {}), ...(deadlineMs ? { deadlineMs } : {}) })));
    if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else process.stdout.write(`${results.map((r) => renderServerCheck(r, terminalStyle())).join('\n\n')}\n`);
    return results.some((r) => r.connection.status === 'completed') ? EXIT.accepted : EXIT.connectionFailed;
  }
  // A host name: each of its A and AAAA addresses (a client may reach any), through --resolver or the system's.
  const resolver = values.resolver !== undefined ? createResolver(parseResolverAddress(values.resolver)) : undefined;
  const addresses = await hostAddresses(target.host, resolver).catch((error: unknown) => {
    if (resolver) throw error;
    return [target.host]; // the system cannot say: the check connects by name and reports what it finds
  });
  if (addresses.length > 1) {
    const checks = await Promise.all(
      addresses.map(async (address) => ({
        address,
        result: await checkServer({ host: address, ...(target.port !== undefined ? { port: target.port } : {}), security: security as 'starttls' | 'implicit' | 'auto', tlsName: values.name ?? target.host, ...(extraCaPem ? { extraCaPem } : {}), ...(deadlineMs ? { deadlineMs } : {}) }),
      })),
    );
    const disagreement = addressDisagreement(checks.map((c) => ({ address: c.address, server: { status: 'completed' as const, result: c.result } })));
    if (values.json) process.stdout.write(`${JSON.stringify(checks.map((c) => c.result), null, 2)}\n`);
    else {
      const style = terminalStyle();
      process.stdout.write(`${style.bold(`${target.host} has ${checks.length} addresses; each is checked:`)} ${checks.map((c) => c.address).join(', ')}\n\n`);
      process.stdout.write(`${checks.map((c) => renderServerCheck(c.result, style)).join('\n\n')}\n`);
      if (disagreement) process.stdout.write(`\n${style.bad(`The addresses do not behave alike: ${disagreement}.`)} A client may reach any of them.\n`);
    }
    return checks.some((c) => c.result.connection.status === 'completed') ? EXIT.accepted : EXIT.connectionFailed;
  }
  if (resolver && !isIP(target.host)) target.host = addresses[0] as string;
  const progress = terminalProgress();
  const result = await checkServer({
    ...target,
    ...(resolver && !isIP(positionals[0] as string) && !values.name ? { tlsName: parseTarget(positionals[0] as string).host } : {}),
    ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    security: security as 'starttls' | 'implicit' | 'auto',
    ...(values.name ? { tlsName: values.name } : {}),
    ...(extraCaPem ? { extraCaPem } : {}),
    ...(deadlineMs ? { deadlineMs } : {}),
  }).finally(progress.clear);
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${renderServerCheck(result, terminalStyle())}\n`);
  return result.connection.status === 'completed' ? EXIT.accepted : EXIT.connectionFailed;
}

/** A domains file may be long, not unbounded. */
const MAX_DOMAINS_FILE_BYTES = 4 * 1024 * 1024;

/** Many domains: NDJSON as each finishes with --json; otherwise a progress line (terminal) and a summary table. */
async function runBatch(domains: readonly string[], options: Omit<Parameters<typeof checkDomains>[1], 'onRow'>, json: boolean): Promise<number> {
  const stderr = process.stderr;
  const progress = stderr.isTTY === true;
  const rows = await checkDomains(domains, {
    ...options,
    onRow: (row, done) => {
      if (json) process.stdout.write(`${JSON.stringify(row)}\n`);
      if (progress) stderr.write(`\r\x1b[K[${done}/${domains.length}] ${visible(row.domain)}${'error' in row ? ' (could not be checked)' : ''}`);
    },
  });
  if (progress) stderr.write('\r\x1b[K');
  if (!json) {
    const header = { domain: 'Domain', mxDnssec: 'MX DNSSEC', mtaSts: 'MTA-STS', dane: 'DANE', requireTlsEveryMx: 'REQUIRETLS on every MX', forecast: 'Require TLS forecast' };
    const table = [header, ...rows.map(summariseRow)].map((r) => ({ ...r, domain: visible(r.domain), forecast: visible(r.forecast) }));
    const keys = Object.keys(header) as (keyof typeof header)[];
    const widths = keys.map((k) => Math.max(...table.map((r) => r[k].length)));
    for (const [i, r] of table.entries()) {
      process.stdout.write(`${keys.map((k, j) => (j === keys.length - 1 ? r[k] : r[k].padEnd(widths[j] as number))).join('  ')}\n`);
      if (i === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
    }
    const failed = rows.filter((r) => 'error' in r).length;
    process.stdout.write(`\n${rows.length} domains checked${failed ? `, ${failed} could not be` : ''}.\n`);
  }
  return EXIT.accepted;
}

