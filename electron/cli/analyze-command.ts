import { parseArgs } from 'node:util';
import type { DeliveredHop, DeliveredPath } from '../../shared/types/delivered.js';
import { analyzeDelivered } from '../core/analyze/delivered-path.js';
import { HoplightError, inputError } from '../core/errors.js';
import { EXIT } from '../core/exit-codes.js';
import { readLocalFile } from '../core/files/local-file.js';
import { visible, visibleData } from '../core/report/visible.js';
import type { RenderStyle as TerminalStyle } from '../core/report/render-submission.js';
import { terminalStyle } from './terminal.js';

/** `hoplight analyze --help`. */
export const ANALYZE_USAGE = `Usage: hoplight analyze FILE.eml [--json]

Reads a delivered copy and shows the path it records, oldest hop first: for each Received header, from, by, the
protocol, whether it states TLS (yes / no / not stated: never guessed), the version and cipher, an authenticated
submission, a REQUIRETLS marker, whether the peer's certificate was verified (where the header says), the time
and the delay since the previous hop. Hops inside one host or provider (LMTP, mapi, localhost) are marked local,
not cleartext; headers that look forged or unreadable are said to be. Also: Postfix 3.11's Require-TLS-ESMTP,
TLS-Required: No, and the Authentication-Results as stated. Only the hops your own provider and later servers
added can be trusted: anything below them was written by whoever sent the message.

Exit codes: 0 the file was read (whatever it shows); 2 a missing or unreadable file, or one that is not a message.`;

/** A delivered message can be large (attachments); its header block is what is read. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Runs `hoplight analyze`; returns the exit code. */
export async function runAnalyze(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { json: { type: 'boolean' } } });
  } catch (error) {
    throw new HoplightError('EINPUT', `${(error as Error).message}\n\n${ANALYZE_USAGE}`);
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) throw inputError('file', `give one .eml file.\n\n${ANALYZE_USAGE}`);
  const path = analyzeDelivered(await readLocalFile('file', file, MAX_MESSAGE_BYTES));
  if (parsed.values.json) process.stdout.write(`${JSON.stringify(visibleData(path), null, 2)}\n`);
  else process.stdout.write(`${renderPath(path, terminalStyle())}\n`);
  return EXIT.accepted;
}

function tlsWords(hop: DeliveredHop, style: TerminalStyle): string {
  if (hop.local) return style.dim(`local (inside one host or provider: no transport claim)${hop.tls ? `; it states TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''}` : ''}`);
  if (hop.tls === true) return style.good(`TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''}`);
  if (hop.tls === false) return style.bad('no TLS stated: the protocol says cleartext');
  return style.dim('not stated');
}

/** The path as text, oldest first. */
export function renderPath(unsafe: DeliveredPath, style: TerminalStyle): string {
  const path = visibleData(unsafe);
  const out: string[] = [style.bold(`Delivered path of ${path.messageId ?? 'a message without Message-ID'}${path.subject ? ` ("${visible(path.subject)}")` : ''}: ${path.hops.length} hops, oldest first`)];
  for (const hop of path.hops) {
    out.push('', style.bold(`${hop.index + 1}. ${hop.from ?? '?'}${hop.fromAddress && hop.from !== `[${hop.fromAddress}]` && hop.from !== hop.fromAddress ? ` [${hop.fromAddress}]` : ''} → ${hop.by ?? '?'}${hop.protocol ? ` with ${hop.protocol}` : ''}`));
    out.push(`   transport:     ${tlsWords(hop, style)}`);
    if (hop.certVerified !== null) out.push(`   peer verified: ${hop.certVerified ? style.good('yes') : style.bad('no')} (as the header states)`);
    if (hop.authenticated) out.push('   submission:    authenticated');
    if (hop.requiretls) out.push(`   REQUIRETLS:    ${style.good('recorded on this hop')}`);
    out.push(`   time:          ${hop.date ?? 'not stated'}${hop.delaySeconds !== undefined ? ` (${hop.delaySeconds} s after the previous hop)` : ''}`);
    for (const problem of hop.problems) out.push(`   ${style.bad('!')} ${problem}`);
  }
  if (path.truncated) out.push('', style.dim(`${path.truncated} older Received fields were not read.`));
  out.push('', `Require-TLS-ESMTP: ${path.requireTlsEsmtp ? style.good('yes (a Postfix relay received it with REQUIRETLS)') : 'not present'}`);
  out.push(`TLS-Required: No:  ${path.tlsRequiredNo ? 'yes (the sender chose TLS optional)' : 'not present'}`);
  for (const line of path.authenticationResults) out.push(style.dim(line));
  return out.join('\n');
}
