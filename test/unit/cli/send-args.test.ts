import { describe, expect, it } from 'vitest';
import { parseSendArgs } from '../../../electron/cli/send-command.js';
import { exitCodeFor } from '../../../electron/core/exit-codes.js';
import { HoplightError, toErrorData } from '../../../electron/core/errors.js';

const base = ['--host', 'mail.example.test', '--port', '587', '--security', 'starttls', '--from', 'a@example.test', '--to', 'b@example.test', '--subject', 's', '--text', 't'];

function fails(args: string[]): HoplightError {
  try {
    parseSendArgs(args);
  } catch (error) {
    if (error instanceof HoplightError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('hoplight send flags', () => {
  it('maps the security flags to exactly one choice', () => {
    expect(parseSendArgs(base).request.security).toBe('default');
    expect(parseSendArgs([...base, '--require-tls']).request.security).toBe('require-tls');
    expect(parseSendArgs([...base, '--tls-optional']).request.security).toBe('tls-optional');
    expect(fails([...base, '--require-tls', '--tls-optional']).field).toBe('security');
  });
  it('collects repeated recipients and attachments', () => {
    const { request } = parseSendArgs([...base, '--to', 'c@example.test', '--cc', 'd@example.test', '--bcc', 'e@example.test', '--attach', '/tmp/x', '--attach', '/tmp/y']);
    expect(request.message.to).toEqual(['b@example.test', 'c@example.test']);
    expect(request.message.attachments).toEqual([{ path: '/tmp/x' }, { path: '/tmp/y' }]);
  });
  it('never takes a password on the command line', () => {
    expect(fails([...base, '--user', 'u']).field).toBe('password');
    expect(fails([...base, '--password', 'secret']).code).toBe('EINPUT');
  });
  it('names missing and wrong flags', () => {
    expect(fails(base.slice(2)).field).toBe('host');
    expect(fails([...base.slice(0, 4), '--security', 'none', ...base.slice(6)]).field).toBe('security');
    expect(fails(base.filter((a) => a !== '--text' && a !== 't')).field).toBe('text');
  });
});

describe('exit codes', () => {
  const code = (c: ConstructorParameters<typeof HoplightError>[0], transmitted = false): number =>
    exitCodeFor(toErrorData(new HoplightError(c, 'x', { messageTransmitted: transmitted })));
  it('follow the README', () => {
    expect(exitCodeFor(undefined)).toBe(0);
    expect(code('EINPUT')).toBe(2);
    expect(code('ESTARTTLS')).toBe(3);
    expect(code('EREQUIRETLS')).toBe(3);
    expect(code('EREQUIRETLS', true)).toBe(4);
    expect(code('EENVELOPE', true)).toBe(4);
    expect(code('EMESSAGE')).toBe(4);
    for (const c of ['ECONNECTION', 'ETIMEDOUT', 'ETLS', 'EAUTH'] as const) expect(code(c)).toBe(5);
    expect(code('EINTERNAL')).toBe(1);
  });
});
