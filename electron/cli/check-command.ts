import { parseArgs } from 'node:util';
import { HoplightError, inputError } from '../core/errors.js';
import { MAX_CA_FILE_BYTES, readLocalFile } from '../core/files/local-file.js';
import { EXIT } from '../core/exit-codes.js';
import { isIPv6 } from 'node:net';
import { checkServer } from '../core/posture/server-check.js';
import { parseDeadline, parsePort } from '../core/server-settings.js';
import { createResolver, parseResolverAddress, systemResolverAddress } from '../core/dns/dns-client.js';
import { checkDomain } from '../core/posture/domain-check.js';
import { renderDomainCheck, renderServerCheck } from '../core/report/render-posture.js';
import type { CheckStep } from '../../shared/types/posture.js';
import { visible } from '../core/report/visible.js';
import { terminalStyle } from './terminal.js';

/** `hoplight check --help`. */
export const CHECK_USAGE = `Usage: hoplight check HOST[:PORT] [--security starttls|implicit|auto] [--name TLS_NAME] [--ca FILE] [--deadline SECS] [--json]
       hoplight check --domain DOMAIN [--resolver IP[:PORT]] [--ca FILE] [--deadline SECS] [--json]

Checks how well a mail server protects mail in transit: STARTTLS, TLS versions, certificate, OCSP stapling,
REQUIRETLS and other extensions, AUTH before TLS, STARTTLS command injection. It never logs in or sends mail.
PORT defaults to 587; --security auto (the default) means implicit TLS on 465 and STARTTLS elsewhere.

With --domain: the domain's MX hosts (DNSSEC-validated or not, as the resolver says), each MX's posture on port
25, MTA-STS, DANE, TLS-RPT, and a forecast of the last hop for each security choice. The resolver defaults to the
system's; it must validate DNSSEC for the AD bit to mean anything.

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
    parsed = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { security: { type: 'string' }, name: { type: 'string' }, ca: { type: 'string' }, json: { type: 'boolean' }, domain: { type: 'string' }, resolver: { type: 'string' }, deadline: { type: 'string' } } });
  } catch (error) {
    throw new HoplightError('EINPUT', `${(error as Error).message}\n\n${CHECK_USAGE}`);
  }
  const { values, positionals } = parsed;
  let extraCaPem: string | undefined;
  if (values.ca !== undefined) {
    extraCaPem = (await readLocalFile('ca', values.ca, MAX_CA_FILE_BYTES)).toString('utf8');
  }
  const deadlineMs = values.deadline !== undefined ? parseDeadline('deadline', values.deadline) : undefined;
  if (values.domain !== undefined) {
    if (positionals.length > 0 || values.security || values.name) throw new HoplightError('EINPUT', `--domain takes no HOST, --security or --name.\n\n${CHECK_USAGE}`, { field: 'domain' });
    const address = values.resolver !== undefined ? parseResolverAddress(values.resolver) : systemResolverAddress();
    const progress = terminalProgress();
    const result = await checkDomain({ domain: values.domain, resolver: createResolver(address), ...(extraCaPem ? { extraCaPem } : {}), ...(deadlineMs ? { deadlineMs } : {}), ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) }).finally(progress.clear);
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${renderDomainCheck(result, terminalStyle())}\n`);
    return result.mx.status === 'error' && /did not answer|failed/.test(result.mx.reason) ? EXIT.connectionFailed : EXIT.accepted;
  }
  if (values.resolver !== undefined) throw inputError('resolver', '--resolver goes with --domain.');
  if (positionals.length !== 1 || !positionals[0]) throw new HoplightError('EINPUT', `Give exactly one HOST[:PORT].\n\n${CHECK_USAGE}`, { field: 'host' });
  const security = values.security ?? 'auto';
  if (!['starttls', 'implicit', 'auto'].includes(security)) throw inputError('security', 'must be starttls, implicit or auto.');
  const target = parseTarget(positionals[0]);
  const progress = terminalProgress();
  const result = await checkServer({
    ...target,
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
