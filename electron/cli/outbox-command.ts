import { parseArgs } from 'node:util';
import type { OutboxEntry } from '../../shared/types/mailbox.js';
import { dataDir } from '../core/data-dir.js';
import { HoplightError, inputError } from '../core/errors.js';
import { EXIT, exitCodeFor } from '../core/exit-codes.js';
import { fromForSender, requestForDraft, SANDBOX_SENDER } from '../core/mailbox/draft-request.js';
import { Mailbox, type AttemptResult } from '../core/mailbox/mailbox.js';
import { buildHopModel } from '../core/report/hop-model.js';
import { renderSubmissionReport } from '../core/report/render-submission.js';
import { visible, visibleData } from '../core/report/visible.js';
import { openAccounts } from './accounts-command.js';
import { cliHint } from './hints.js';
import { readPasswordFromStdin, terminalStyle } from './terminal.js';

/** `hoplight outbox --help`. */
export const OUTBOX_USAGE = `Usage:
  hoplight outbox list [--json]
  hoplight outbox retry ID [--duplicate-ok] [--password-stdin] [--json]
  hoplight outbox flush [--all] [--json]

The Outbox holds messages the app (or this command) could not send yet: temporary failures wait for their next
try, always with the security choice they were queued with; a message marked "uncertain" may have been delivered
and is re-sent only with --duplicate-ok. "flush" tries every message whose next try is due (--all: every waiting
one). A sent message moves to Sent; a permanent failure moves it back to Drafts with the reason.
Messages from the app's sandbox can only be retried by the app. For an account that asks for its password at each
send, give it to "retry" with --password-stdin (flush cannot ask, and leaves such a message waiting).`;

function parse(args: readonly string[], options: NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>) {
  try {
    return parseArgs({ args: [...args], strict: true, allowPositionals: true, options });
  } catch (error) {
    throw new HoplightError('EINPUT', `${(error as Error).message}\n\n${OUTBOX_USAGE}`);
  }
}

/** The mailbox as the CLI sees it: accounts and the keychain, no sandbox (it lives in the app). */
export function openMailbox(): Mailbox {
  const accounts = openAccounts();
  return new Mailbox({
    dataDir: dataDir(),
    resolve: (draft, typed) => requestForDraft(draft, { accounts }, typed),
    fromFor: (sender) => fromForSender(sender, { accounts }),
    hopsFor: (report) => buildHopModel(report),
    cannotSend: (draft) => (draft.sender === SANDBOX_SENDER ? 'it is from the app\'s sandbox, which only the app can log in to' : undefined),
  });
}

/** Runs `hoplight outbox …`; returns the exit code. */
export async function runOutbox(args: readonly string[]): Promise<number> {
  const [action, ...rest] = args;
  const style = terminalStyle();
  switch (action) {
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } });
      const { entries, problems } = await openMailbox().listOutbox();
      if (values.json) {
        process.stdout.write(`${JSON.stringify(visibleData({ entries, problems }), null, 2)}\n`);
        return EXIT.accepted;
      }
      if (!entries.length) process.stdout.write('The Outbox is empty.\n');
      for (const entry of entries) process.stdout.write(`${describeEntry(entry, style)}\n`);
      for (const p of problems) process.stdout.write(`${style.bad('Damaged file moved aside:')} ${visible(p.file)} → ${visible(p.movedTo)} (${visible(p.reason)})\n`);
      return EXIT.accepted;
    }
    case 'retry': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, 'duplicate-ok': { type: 'boolean' }, 'password-stdin': { type: 'boolean' } });
      const id = positionals[0];
      if (!id || positionals.length > 1) throw inputError('id', `give the id of one Outbox message (hoplight outbox list).\n\n${OUTBOX_USAGE}`);
      const password = values['password-stdin'] ? await readPasswordFromStdin() : undefined;
      const result = await openMailbox().retry(id, { ...(values['duplicate-ok'] ? { duplicateOk: true } : {}), ...(password ? { password } : {}) });
      return report(id, result, values.json === true, style);
    }
    case 'flush': {
      const { values } = parse(rest, { json: { type: 'boolean' }, all: { type: 'boolean' } });
      const results = await openMailbox().flush(values.all ? { all: true } : {});
      if (values.json) process.stdout.write(`${JSON.stringify(visibleData(results), null, 2)}\n`);
      else if (!results.length) process.stdout.write(values.all ? 'No message is waiting in the Outbox.\n' : 'No message is due for a try (use --all to try every waiting one now).\n');
      let code: number = EXIT.accepted;
      for (const r of results) {
        if (r.skipped) {
          if (!values.json) process.stdout.write(`${r.id}: skipped, ${visible(r.skipped)}\n`);
          continue;
        }
        if (r.result) code = Math.max(code, report(r.id, r.result, values.json === true, style, false));
      }
      return code;
    }
    default:
      throw new HoplightError('EINPUT', `${action ? `Unknown outbox action "${action}".` : 'Say what to do with the Outbox.'}\n\n${OUTBOX_USAGE}`);
  }
}

function describeEntry(e: OutboxEntry, style: ReturnType<typeof terminalStyle>): string {
  const recipients = [...e.draft.to, ...e.draft.cc, ...e.draft.bcc].join(', ');
  const last = e.attempts.at(-1);
  const state =
    e.state === 'uncertain'
      ? style.bad('MAY HAVE BEEN DELIVERED: not re-sent without --duplicate-ok')
      : e.state === 'sending'
        ? `being sent now (process ${e.claimedBy?.pid ?? '?'})`
        : `waiting; next try ${e.nextAttemptAt ?? 'now'}`;
  return [
    `${e.id}  ${visible(e.draft.subject || '(no subject)')}`,
    `  To:        ${visible(recipients)}`,
    `  Security:  ${e.draft.securityChoice} (kept on every retry)`,
    `  State:     ${state}`,
    `  Queued:    ${e.queuedAt}; ${e.attempts.length} ${e.attempts.length === 1 ? 'try' : 'tries'}; given up at ${e.giveUpAt}`,
    ...(last?.error ? [`  Last try:  ${last.at}: ${visible(last.error.message)}`] : []),
  ].join('\n');
}

/** Prints where an attempt left the message; returns its exit code. */
function report(id: string, result: AttemptResult, json: boolean, style: ReturnType<typeof terminalStyle>, printJson = true): number {
  if (json && printJson) process.stdout.write(`${JSON.stringify(visibleData(result), null, 2)}\n`);
  if (!json) {
    const f = result.filing;
    const where = f.folder === 'sent' ? style.good('sent (moved to Sent)') : f.folder === 'drafts' ? `${style.bad('not sent')}: back in Drafts: ${visible(f.reason)}` : f.state === 'uncertain' ? style.bad('may have been delivered (kept in the Outbox)') : `not sent yet: kept in the Outbox, next try ${f.nextAttemptAt ?? 'later'}`;
    process.stdout.write(`${id}: ${where}\n`);
    if (result.report) process.stdout.write(`${renderSubmissionReport(result.report, style, { hint: cliHint })}\n`);
    else if (result.error) process.stdout.write(`${visible(result.error.message)}\n`);
  }
  if (result.filing.folder === 'sent') return EXIT.accepted;
  return exitCodeFor(result.report?.error ?? result.error) || EXIT.connectionFailed;
}
