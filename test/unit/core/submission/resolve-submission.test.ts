import { describe, expect, it } from 'vitest';
import { resolveSubmission } from '../../../../electron/core/submission/resolve-submission.js';
import type { Account } from '../../../../shared/types/account.js';

const account: Account = {
  id: '6f1c0c2e-0000-4000-8000-000000000001', name: 'Work', fromName: 'Ann Example', fromAddress: 'ann@example.org', host: 'smtp.example.org', port: 587, security: 'starttls',
  user: 'ann', authMethod: 'auto', caFile: '/etc/ca.pem', defaultSecurity: 'require-tls', passwordStorage: 'keychain',
};
const message = { from: '', to: ['b@example.net'], subject: 's', text: 't' };

describe('one submission, resolved once', () => {
  it('an account fills the server, the From and the security choice', () => {
    expect(resolveSubmission({ account, message })).toEqual({
      server: { host: 'smtp.example.org', port: 587, security: 'starttls', user: 'ann', authMethod: 'auto', caFile: '/etc/ca.pem' },
      message: { ...message, from: '"Ann Example" <ann@example.org>' },
      security: 'require-tls',
    });
  });

  it('settings given for this send override the account field by field; a choice given wins', () => {
    const request = resolveSubmission({ account, server: { port: 465, security: 'implicit', host: undefined }, message: { ...message, from: 'x@example.org' }, securityChoice: 'default' });
    expect(request.server).toMatchObject({ host: 'smtp.example.org', port: 465, security: 'implicit', user: 'ann' });
    expect(request.message.from).toBe('x@example.org');
    expect(request.security).toBe('default');
  });

  it('without an account, what is missing is named', () => {
    expect(() => resolveSubmission({ message })).toThrow(expect.objectContaining({ field: 'host' }));
    expect(() => resolveSubmission({ server: { host: 'h', port: 1, security: 'starttls' }, message })).toThrow(expect.objectContaining({ field: 'from' }));
    expect(resolveSubmission({ server: { host: 'h', port: 1, security: 'starttls' }, message: { ...message, from: 'a@b.test' } }).security).toBe('default');
  });
});
