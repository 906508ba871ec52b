import type { Draft } from '../../../shared/types/draft.js';
import type { SendRequest } from '../../../shared/types/message.js';
import { fromOf } from '../accounts/account-fields.js';
import type { AccountsService } from '../accounts/accounts-service.js';
import { HoplightError } from '../errors.js';
import type { SandboxService } from '../sandbox/sandbox-service.js';
import { resolveSubmission } from '../submission/resolve-submission.js';

/** The sandbox's sender, as drafts name it. */
export const SANDBOX_SENDER = 'sandbox';
/** The sandbox's pseudo-address. */
export const SANDBOX_FROM = 'You <you@sandbox.hoplight.test>';

/** Where a draft's sender is: the accounts (and their keychain) and, in the app, the running sandbox. */
export interface SenderSources {
  readonly accounts: AccountsService;
  readonly sandbox?: Pick<SandboxService, 'status' | 'password'>;
}

/** The From a draft's sender stands for (for the .eml files of Drafts and Outbox). */
export function fromForSender(sender: string, sources: SenderSources): string {
  if (sender === SANDBOX_SENDER) return SANDBOX_FROM;
  const account = sources.accounts.store.list().find((a) => a.id === sender);
  return account ? fromOf(account) : 'unknown@invalid';
}

/**
 * The request and password a draft is sent with: its account's settings and keychain password, or the sandbox's.
 * Main reads the password here, at send time; it never crosses to the renderer. An account that asks at each send
 * takes `typedPassword` (typed in the composer or at the prompt), which is never stored.
 */
export async function requestForDraft(draft: Draft, sources: SenderSources, typedPassword?: string): Promise<{ request: SendRequest; password: string | undefined }> {
  const message = {
    from: '',
    to: draft.to,
    cc: draft.cc,
    bcc: draft.bcc,
    subject: draft.subject,
    text: draft.text,
    ...(draft.attachments.length ? { attachments: draft.attachments.map((a) => ({ path: a.path, filename: a.name })) } : {}),
  };
  if (draft.sender === SANDBOX_SENDER) {
    const status = sources.sandbox?.status();
    if (!sources.sandbox || !status?.running) {
      throw new HoplightError('ECONFIG', 'This message is from the sandbox, which is not running.', { hint: 'Start the sandbox in the app and send it again.' });
    }
    const request = resolveSubmission({
      server: { host: status.host ?? '127.0.0.1', port: status.starttlsPort ?? 0, security: 'starttls', user: status.user ?? 'sandbox', ...(status.caFile ? { caFile: status.caFile } : {}) },
      message: { ...message, from: SANDBOX_FROM },
      securityChoice: draft.securityChoice,
    });
    return { request, password: sources.sandbox.password() };
  }
  const account = sources.accounts.store.find(draft.sender);
  const request = resolveSubmission({ account, message, securityChoice: draft.securityChoice });
  return { request, password: await sources.accounts.passwordForSend(account, typedPassword) };
}
