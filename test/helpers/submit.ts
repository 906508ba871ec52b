import type { SendRequest, SubmissionServer } from '../../shared/types/message.js';
import type { SecurityChoice } from '../../shared/types/security.js';
import type { SubmissionReport } from '../../shared/types/report.js';
import { submitMessage, type SubmitOptions } from '../../electron/core/submit-message.js';

/** A plain message for tests; override any field. */
export function testMessage(overrides: Partial<SendRequest['message']> = {}): SendRequest['message'] {
  return { from: 'Sender <sender@hoplight.test>', to: ['rcpt@example.test'], subject: 'Hoplight test', text: 'Hello from a test.\n', ...overrides };
}

/** Submits and returns the report (tests assert on its outcome, never on logs). */
export function send(server: SubmissionServer, security: SecurityChoice, password: string | undefined, message = testMessage(), options?: SubmitOptions): Promise<SubmissionReport> {
  return submitMessage({ server, message, security }, password, options);
}

/** True when the password appears anywhere in `value` (as JSON or text), plain or in its AUTH encodings. */
export function containsSecret(value: unknown, secret: string, user?: string): boolean {
  const json = typeof value === 'string' ? value : JSON.stringify(value);
  const forms = [secret, Buffer.from(secret).toString('base64')];
  if (user !== undefined) forms.push(Buffer.from(`\0${user}\0${secret}`).toString('base64'));
  return forms.some((f) => json.includes(f));
}
