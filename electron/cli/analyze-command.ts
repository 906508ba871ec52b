import { parseArgs } from 'node:util';
import type { DeliveredHop, DeliveredPath, HopTrust, VerifiedState } from '../../shared/types/delivered.js';
import type { Account } from '../../shared/types/account.js';
import { AccountStore, openAccountsFile } from '../core/accounts/account-store.js';
import { analyzeDeliveredCopy, fromAddressOf, type ProviderHint } from '../core/analyze/delivered-path.js';
import { dataDir } from '../core/data-dir.js';
import { createResolver, parseResolverAddress, systemResolverAddress } from '../core/dns/dns-client.js';
import { HoplightError, inputError } from '../core/errors.js';
import { EXIT } from '../core/exit-codes.js';
import { readLocalFile } from '../core/files/local-file.js';
import { visible, visibleData } from '../core/report/visible.js';
import type { RenderStyle as TerminalStyle } from '../core/report/render-submission.js';
import { terminalStyle } from './terminal.js';

/** `hoplight analyze --help`. */
export const ANALYZE_USAGE = `Usage: hoplight analyze FILE.eml [--account NAME] [--resolver IP[:PORT] | --no-verify] [--json]

Reads a delivered copy and shows the path it records, oldest hop first: for each Received header, from, by, the
protocol, whether it states TLS (yes / no / not stated: never guessed), the version and cipher, an authenticated
submission, a REQUIRETLS marker, whether the peer's certificate was verified (where the header says), the time
and the delay since the previous hop. Hops inside one host or provider (LMTP, mapi, localhost) are marked local,
not cleartext; headers that look forged or unreadable are said to be. Also: Postfix 3.11's Require-TLS-ESMTP,
TLS-Required: No, and the Authentication-Results as each server states them.

DKIM signatures and the ARC chain are verified now, with the keys the domains publish today, through the
system's resolver or --resolver; --no-verify reads the headers only. SPF cannot be re-checked after delivery,
so DMARC is confirmed only by an aligned DKIM signature. A key that cannot be looked up is "could not check".

  --account NAME   The account the message was sent with (found by the From address when not given): the hops
                   your provider and later servers added are marked trusted; anything below them was written
                   by whoever sent the message, and can be forged.

Exit codes: 0 the file was read (whatever it shows); 2 a missing or unreadable file, or one that is not a message.`;

/** A delivered message can be large (attachments); its header block is what is read. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Runs `hoplight analyze`; returns the exit code. */
export async function runAnalyze(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { json: { type: 'boolean' }, account: { type: 'string' }, resolver: { type: 'string' }, 'no-verify': { type: 'boolean' } } });
  } catch (error) {
    throw new HoplightError('EINPUT', `${(error as Error).message}\n\n${ANALYZE_USAGE}`);
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) throw inputError('file', `give one .eml file.\n\n${ANALYZE_USAGE}`);
  if (parsed.values.resolver !== undefined && parsed.values['no-verify']) throw inputError('resolver', '--resolver and --no-verify exclude each other.');
  const resolver = parsed.values['no-verify'] ? null : createResolver(parsed.values.resolver !== undefined ? parseResolverAddress(parsed.values.resolver) : systemResolverAddress());
  const raw = await readLocalFile('file', file, MAX_MESSAGE_BYTES);
  const provider = providerFor(raw, parsed.values.account);
  const path = await analyzeDeliveredCopy(raw, { resolver, ...(provider ? { provider } : {}) });
  if (parsed.values.json) process.stdout.write(`${JSON.stringify(visibleData(path), null, 2)}\n`);
  else process.stdout.write(`${renderPath(path, terminalStyle())}\n`);
  return EXIT.accepted;
}

const hint = (account: Account): ProviderHint => ({ account: account.name, host: account.host });

/** The account named, or the one whose address sent the message (when the accounts file can be read). */
function providerFor(raw: Buffer, name: string | undefined): ProviderHint | undefined {
  const store = new AccountStore(openAccountsFile(dataDir()));
  if (name !== undefined) return hint(store.find(name));
  const from = fromAddressOf(raw);
  if (!from) return undefined;
  try {
    const account = store.list().find((a) => a.fromAddress.toLowerCase() === from);
    return account ? hint(account) : undefined;
  } catch {
    return undefined; // no readable accounts file: the provider stays unknown, and the output says so
  }
}

function tlsWords(hop: DeliveredHop, style: TerminalStyle): string {
  if (hop.local) return style.dim(`local (inside one host or provider: no transport claim)${hop.tls ? `; it states TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''}` : ''}`);
  if (hop.tls === true && hop.trust === 'sender-side') return style.dim(`states TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''} (unverifiable: written before your provider)`);
  if (hop.tls === true) return style.good(`TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''}`);
  if (hop.tls === false) return style.bad('no TLS stated: the protocol says cleartext');
  return style.dim('not stated');
}

const TRUST_WORDS: Record<HopTrust, (style: TerminalStyle) => string> = {
  'sender-side': (style) => style.bad('the sender’s side, before your provider: it can be forged'),
  provider: () => 'your provider',
  'after-provider': () => 'a server after your provider',
};

const STATE_WORDS: Record<VerifiedState, (style: TerminalStyle) => string> = {
  pass: (style) => style.good('pass'),
  fail: (style) => style.bad('fail'),
  'could-not-check': (style) => style.dim('could not check'),
};

function providerWords(path: DeliveredPath): string {
  if (!path.provider) return 'Your provider: unknown (give --account NAME): no hop can be told apart as trustworthy.';
  if (path.provider.firstHop === undefined) return `Your provider (${path.provider.account}, ${path.provider.names.join(' / ')}): no hop names it, so none of these headers can be checked against it.`;
  return `Your provider (${path.provider.account}) recorded hop ${path.provider.firstHop + 1} first: what it and later servers wrote can be trusted; ${path.provider.firstHop ? `hops 1–${path.provider.firstHop} were written before it and can be forged` : 'nothing was written before it'}.`;
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
    if (hop.trust) out.push(`   written by:    ${TRUST_WORDS[hop.trust](style)}`);
    for (const problem of hop.problems) out.push(`   ${style.bad('!')} ${problem}`);
  }
  if (path.truncated) out.push('', style.dim(`${path.truncated} older Received fields were not read.`));
  out.push('', providerWords(path));
  const recordedAt = path.requireTlsEsmtpAbove !== undefined ? `, recorded by hop ${path.requireTlsEsmtpAbove + 1}'s server or a later one` : '';
  out.push('', `Require-TLS-ESMTP: ${path.requireTlsEsmtp ? style.good(`yes (a Postfix relay received it with REQUIRETLS${recordedAt})`) : 'not present'}`);
  out.push(`TLS-Required: No:  ${path.tlsRequiredNo ? 'yes (the sender chose TLS optional: relays may deliver it without TLS)' : 'not present'}`);
  out.push('', style.bold('Authentication, as the servers state it'));
  if (path.authentication.length === 0) out.push('   no Authentication-Results field');
  for (const a of path.authentication) {
    const where = a.above >= 0 ? `above hop ${a.above + 1}` : 'below every hop';
    const trust = a.trust ? `; ${a.trust === 'sender-side' ? style.bad('written before your provider: can be forged') : 'added by your provider or later'}` : '';
    out.push(`   ${a.field}${a.instance !== undefined ? ` i=${a.instance}` : ''} by ${a.authservId || '?'} (${where}${trust}):`);
    out.push(`      ${a.results.length ? a.results.map((r) => `${r.method}=${r.result}${r.properties['header.d'] ? ` (d=${r.properties['header.d']})` : ''}`).join(', ') : 'no result'}`);
    if (a.problem) out.push(`      ${style.bad('!')} ${a.problem}`);
  }
  out.push('', style.bold('Verified now by Hoplight'));
  if (path.verified) {
    const v = path.verified;
    if (v.dkim.length === 0) out.push('   DKIM:  the message is not signed');
    for (const s of v.dkim) out.push(`   DKIM:  d=${s.domain} s=${s.selector}: ${STATE_WORDS[s.state](style)}, ${s.detail}${s.aligned ? ' (aligned with From)' : ''}`);
    out.push(`   ARC:   ${v.arc.state === 'none' ? 'none' : STATE_WORDS[v.arc.state](style)}, ${v.arc.detail}`);
    out.push(`   DMARC: ${v.dmarc.state === 'pass' ? style.good('pass') : style.dim('not re-checked')}, ${v.dmarc.detail}`);
    out.push(style.dim(`   SPF is not re-checked: it depends on the sending server at delivery time. Keys looked up through ${v.resolver}.`));
  } else out.push(`   ${style.dim(path.verifyProblem ?? 'not verified (--no-verify): only what the headers state is shown')}`);
  return out.join('\n');
}
