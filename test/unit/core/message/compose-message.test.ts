import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HoplightError } from '../../../../electron/core/errors.js';
import { parseMailbox } from '../../../../electron/core/message/address.js';
import { composeMessage } from '../../../../electron/core/message/compose-message.js';
import type { OutgoingMessage } from '../../../../shared/types/message.js';

const base: OutgoingMessage = { from: 'a@example.test', to: ['b@example.test'], subject: 'Hi', text: 'Body' };

async function inputError(message: Partial<OutgoingMessage>): Promise<HoplightError> {
  try {
    await composeMessage({ ...base, ...message }, 'default');
  } catch (error) {
    if (error instanceof HoplightError) return error;
    throw error;
  }
  throw new Error('expected EINPUT');
}

describe('input checks before any connection', () => {
  it.each([
    ['subject', { subject: 'Hello\r\nBcc: victim@example.test' }],
    ['subject', { subject: 'Hello\nX-Injected: 1' }],
    ['from', { from: 'a@example.test\r\nX: y' }],
    ['to[0]', { to: ['b@example.test\nBcc: c@example.test'] }],
    ['cc[1]', { cc: ['ok@example.test', 'not an address'] }],
    ['bcc[0]', { bcc: ['@nolocal.test'] }],
    ['to', { to: [] }],
    ['from', { from: 'two@example.test, addresses@example.test' }],
    ['to[0]', { to: ['a b@x.test'] }],
  ] as const)('rejects %s in %j', async (field, message) => {
    const error = await inputError(message);
    expect(error.code).toBe('EINPUT');
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}:`)).toBe(true);
  });

  it('rejects a missing attachment file, naming it', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'hl-')), 'nope.pdf');
    const error = await inputError({ attachments: [{ path: missing }] });
    expect(error.field).toBe('attachments[0]');
    expect(error.message).toContain('nope.pdf');
    expect(error.message).toContain('does not exist');
  });

  it('rejects a folder as an attachment', async () => {
    const error = await inputError({ attachments: [{ path: tmpdir() }] });
    expect(error.message).toMatch(/not a regular file/);
  });
});

describe('addresses', () => {
  it('uses A-labels in the envelope and flags SMTPUTF8 only for non-ASCII local parts', () => {
    expect(parseMailbox('to', 'user@bücher.test')).toMatchObject({ envelope: 'user@xn--bcher-kva.test', needsSmtpUtf8: false });
    expect(parseMailbox('to', 'Jürgen <jürgen@example.test>')).toMatchObject({ name: 'Jürgen', envelope: 'jürgen@example.test', needsSmtpUtf8: true });
    expect(parseMailbox('to', 'x@[192.0.2.1]').envelope).toBe('x@[192.0.2.1]');
  });
});

describe('composition', () => {
  it('tls-optional adds exactly one "TLS-Required: No"; other choices add none', async () => {
    const optional = await composeMessage(base, 'tls-optional');
    const header = optional.content.toString().split('\r\n\r\n')[0] ?? '';
    expect(header.match(/^TLS-Required:.*$/gim)).toEqual(['TLS-Required: No']);
    for (const choice of ['default', 'require-tls'] as const) {
      const composed = await composeMessage(base, choice);
      expect(composed.content.toString()).not.toMatch(/TLS-Required/i);
      expect(composed.tlsRequiredNoHeader).toBe(false);
    }
  });

  it('keeps Bcc out of the headers but in the envelope, and removes duplicate recipients (local parts are case-sensitive)', async () => {
    const composed = await composeMessage({ ...base, to: ['b@example.test', 'b@EXAMPLE.test', 'B@example.test'], bcc: ['secret@example.test', 'b@example.test'] }, 'default');
    // RFC 5321 §2.4: only the domain is compared without case; Bob@x and bob@x may be different mailboxes.
    expect(composed.recipients.map((r) => r.envelope)).toEqual(['b@example.test', 'B@example.test', 'secret@example.test']);
    expect(composed.content.toString()).not.toContain('secret@example.test');
  });

  it('a Message-ID with an ASCII domain, and 7-bit content for ASCII addresses', async () => {
    const composed = await composeMessage({ ...base, from: 'a@bücher.test', subject: 'Grüße', text: 'Größe' }, 'default');
    expect(composed.messageId).toMatch(/^<[0-9a-f-]+@xn--bcher-kva\.test>$/);
    expect(composed.has8BitContent).toBe(false);
    expect(composed.needsSmtpUtf8).toBe(false);
  });
});
