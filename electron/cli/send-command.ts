import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SendRequest } from '../../shared/types/message.js';
import type { AuthMethod, ConnectionSecurity, SecurityChoice } from '../../shared/types/security.js';
import type { Account } from '../../shared/types/account.js';
import { HoplightError, inputError } from '../core/errors.js';
import { MAX_BODY_FILE_BYTES, readLocalFile } from '../core/files/local-file.js';
import { exitCodeFor } from '../core/exit-codes.js';
import { renderSubmissionReport } from '../core/report/render-submission.js';
import { parseDeadline, parsePort } from '../core/server-settings.js';
import { resolveSubmission } from '../core/submission/resolve-submission.js';
import { dataDir } from '../core/data-dir.js';
import { FileEhloCache } from '../core/smtp/ehlo-cache.js';
import { submitMessage } from '../core/submit-message.js';
import { cliHint } from './hints.js';
import { readPasswordFromStdin, terminalStyle } from './terminal.js';

/** `hoplight send --help`. */
export const SEND_USAGE = `Usage: hoplight send (--account NAME | --host H --port P --security starttls|implicit)
         [--user U --password-stdin] [--auth auto|PLAIN|LOGIN]
         --from ADDR --to ADDR [--to ADDR]… [--cc ADDR]… [--bcc ADDR]…
         --subject S (--text T | --text-file F) [--html-file F] [--attach FILE]…
         [--require-tls | --tls-optional] [--ca FILE] [--pin SHA256] [--tls-name NAME] [--json]

  --account NAME   Use a stored account and its password from the keychain; other flags override its settings.
  --require-tls    RFC 8689 REQUIRETLS: every hop must use verified TLS, or the message bounces.
                   Refused (exit 3, nothing sent) if the server does not support REQUIRETLS.
  --tls-optional   Adds "TLS-Required: No": relays may deliver without TLS (RFC 8689 §5).
  (neither)        Default (or the account's default choice): hop 1 is encrypted and verified; relays follow
                   their own policy. --security-choice require-tls|default|tls-optional names it explicitly.
  --password-stdin Reads the password from standard input (never from the command line).
  --ca FILE        Also trust this CA certificate (PEM) for the server.
  --pin SHA256     Trust exactly the certificate with this SHA-256 fingerprint (for self-signed servers).
  --deadline SECS  Stop the whole send after this many seconds (default 720).
  --json           Print the whole report as JSON on stdout.`;

/** Parses `hoplight send` flags into a request; throws EINPUT on misuse. */
export function parseSendArgs(
  args: readonly string[],
  lookupAccount?: (name: string) => Account,
): { request: SendRequest; account?: Account; passwordFromStdin: boolean; json: boolean; textFile?: string; htmlFile?: string; deadlineMs?: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        security: { type: 'string' },
        user: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        auth: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string', multiple: true },
        cc: { type: 'string', multiple: true },
        bcc: { type: 'string', multiple: true },
        subject: { type: 'string' },
        text: { type: 'string' },
        'text-file': { type: 'string' },
        'html-file': { type: 'string' },
        attach: { type: 'string', multiple: true },
        'require-tls': { type: 'boolean' },
        'tls-optional': { type: 'boolean' },
        ca: { type: 'string' },
        pin: { type: 'string' },
        'tls-name': { type: 'string' },
        account: { type: 'string' },
        'security-choice': { type: 'string' },
        json: { type: 'boolean' },
        deadline: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new HoplightError('EINPUT', `${(error as Error).message}\n\n${SEND_USAGE}`);
  }
  const need = (name: string, value: string | undefined): string => {
    if (value === undefined) throw inputError(name, `--${name} is required${name === 'subject' ? '' : ' (or --account NAME)'}.`);
    return value;
  };
  const choices = [values['require-tls'] && 'require-tls', values['tls-optional'] && 'tls-optional', values['security-choice']].filter(Boolean);
  if (new Set(choices).size > 1) {
    throw inputError('security', `${choices.join(' and ')} contradict each other; choose one.`);
  }
  if (values['security-choice'] !== undefined && !['require-tls', 'default', 'tls-optional'].includes(values['security-choice'])) {
    throw inputError('security', '--security-choice must be require-tls, default or tls-optional.');
  }
  const account = values.account !== undefined ? lookupAccount?.(values.account) : undefined;
  if (values.account !== undefined && !account) throw inputError('account', 'accounts are not available here.');
  if (values.text !== undefined && values['text-file'] !== undefined) throw inputError('text', 'give --text or --text-file, not both.');
  if (values.text === undefined && values['text-file'] === undefined) throw inputError('text', '--text or --text-file is required.');
  if (values.user !== undefined && !values['password-stdin'] && !account) throw inputError('password', `--password-stdin is required with --user (passwords are never taken on the command line).`);
  if (!account) for (const name of ['host', 'port', 'security', 'from'] as const) need(name, values[name]);
  if (values.security !== undefined && values.security !== 'starttls' && values.security !== 'implicit') throw inputError('security', 'must be "starttls" or "implicit".');
  // One override rule, in core: the flags given here win over the stored account's settings.
  const request: SendRequest = resolveSubmission({
    ...(account ? { account } : {}),
    server: {
      host: values.host,
      ...(values.port !== undefined ? { port: parsePort('port', values.port) } : {}),
      security: values.security as ConnectionSecurity | undefined,
      user: values.user,
      authMethod: values.auth as AuthMethod | undefined,
      caFile: values.ca,
      pinSha256: values.pin,
      tlsName: values['tls-name'],
    },
    message: {
      from: values.from ?? '',
      to: values.to ?? [],
      cc: values.cc ?? [],
      bcc: values.bcc ?? [],
      subject: need('subject', values.subject),
      text: values.text ?? '',
      attachments: (values.attach ?? []).map((path) => ({ path })),
    },
    ...(choices[0] ? { securityChoice: choices[0] as SecurityChoice } : {}),
  });
  return {
    request,
    ...(account ? { account } : {}),
    passwordFromStdin: values['password-stdin'] === true,
    json: values.json === true,
    ...(values.deadline !== undefined ? { deadlineMs: parseDeadline('deadline', values.deadline) } : {}),
    ...(values['text-file'] !== undefined ? { textFile: values['text-file'] } : {}),
    ...(values['html-file'] !== undefined ? { htmlFile: values['html-file'] } : {}),
  };
}

async function readBodyFile(field: string, path: string): Promise<string> {
  return (await readLocalFile(field, path, MAX_BODY_FILE_BYTES)).toString('utf8');
}

/** Runs `hoplight send`; returns the exit code. */
export async function runSend(args: readonly string[]): Promise<number> {
  // The accounts (their file, the keychain) are loaded only for --account: a plain send loads no more than it needs.
  const accounts = args.includes('--account') || args.some((a) => a.startsWith('--account=')) ? (await import('./accounts-command.js')).openAccounts() : undefined;
  const parsed = parseSendArgs(args, accounts ? (name) => accounts.store.find(name) : undefined);
  let { request } = parsed;
  if (parsed.textFile !== undefined || parsed.htmlFile !== undefined) {
    const text = parsed.textFile !== undefined ? await readBodyFile('text-file', parsed.textFile) : request.message.text;
    const html = parsed.htmlFile !== undefined ? await readBodyFile('html-file', parsed.htmlFile) : undefined;
    request = { ...request, message: { ...request.message, text, ...(html !== undefined ? { html } : {}) } };
  }
  const typed = parsed.passwordFromStdin ? await readPasswordFromStdin() : undefined;
  // With --account the password comes from the keychain (read here, in this process, at send time).
  const password = parsed.account && accounts ? await accounts.passwordForSend(parsed.account, typed) : typed;
  // The same EHLO cache as the app's, in the shared data folder (early pipelining where servers advertise it).
  const ehloCache = new FileEhloCache(join(dataDir(), 'ehlo-cache.json'));
  const report = await submitMessage(request, password, { ehloCache, ...(parsed.deadlineMs ? { deadlineMs: parsed.deadlineMs } : {}) });
  if (parsed.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${renderSubmissionReport(report, terminalStyle(), { hint: cliHint })}\n`);
  return exitCodeFor(report.error);
}
