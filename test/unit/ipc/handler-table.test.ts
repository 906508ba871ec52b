import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AccountsService } from '../../../electron/core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../../../electron/core/accounts/account-store.js';
import { MemoryCredentialStore } from '../../../electron/core/accounts/credential-store.js';
import { createHandlers } from '../../../electron/ipc/handler-table.js';
import type { EventChannel } from '../../../shared/ipc/contract.js';
import { INVOKE_CHANNELS } from '../../../shared/ipc/contract.js';
import { waitFor } from '../../helpers/peers.js';

const home = mkdtempSync(join(tmpdir(), 'hoplight-handlers-'));
const events: [EventChannel, unknown][] = [];
const credentials = new MemoryCredentialStore();
const handlers = createHandlers({
  dataDir: home,
  accounts: new AccountsService(() => new AccountStore(openAccountsFile(home)), credentials),
  emit: (channel, payload) => events.push([channel, payload]),
});
afterAll(() => handlers.dispose());

describe('the handler table', () => {
  it('has a handler for every contract channel and no other', () => {
    expect(Object.keys(handlers.table).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('validates payloads and answers with EINPUT naming the field', async () => {
    const bad = await handlers.table['send:message']({ server: { host: 'h', port: 'x', security: 'starttls' }, message: {}, security: 'default' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('EINPUT');
      expect(bad.error.field).toBe('server.port');
    }
    const unknownKey = await handlers.table['sandbox:start']({ rejectUnauthorized: false });
    expect(unknownKey.ok).toBe(false);
  });

  it('core input errors come back as data, not exceptions', async () => {
    const result = await handlers.table['send:message']({
      server: { host: '127.0.0.1', port: 1, security: 'starttls' },
      message: { from: 'a@b.test', to: ['c@d.test'], subject: 'x\r\ny', text: '' },
      security: 'default',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'EINPUT', field: 'subject' } });
  });

  it('runs the sandbox, sends to it with the password main holds, and the renderer never sees that password', async () => {
    const started = await handlers.table['sandbox:start']({ starttlsPort: 0, implicitPort: 0 });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const status = started.value;
    expect(status.running).toBe(true);
    expect(Object.keys(status)).not.toContain('password');
    const sent = await handlers.table['send:message']({
      server: { host: '127.0.0.1', port: status.starttlsPort ?? 0, security: 'starttls', user: status.user, caFile: status.caFile },
      message: { from: 'me@example.test', to: ['you@example.test'], subject: 'via IPC', text: 'hello' },
      security: 'require-tls',
      useSandboxPassword: true,
    });
    expect(sent.ok).toBe(true);
    if (!sent.ok) return;
    expect(sent.value.report.outcome).toBe('accepted');
    expect(sent.value.report.submissionHop.requireTls.accepted).toBe(true);
    expect(sent.value.hops.hops.map((h) => [h.hop, h.state])).toEqual([['submission', 'verified'], ['relays', 'promised'], ['recipient', 'unknown']]);
    expect(sent.value.text).toMatch(/^Accepted by the submission server\./);
    const event = await waitFor('the sandbox event', () => events.find(([c]) => c === 'sandbox:message-received'));
    const payload = event[1] as { emlPath: string; requireTls: boolean };
    expect(payload.requireTls).toBe(true);
    expect(readFileSync(payload.emlPath, 'utf8')).toContain('Subject: via IPC');
    const files = readdirSync(join(home, 'sandbox', 'messages'));
    expect(files.some((f) => f.endsWith('.envelope.json'))).toBe(true);
    const stopped = await handlers.table['sandbox:stop'](undefined);
    expect(stopped).toEqual({ ok: true, value: { running: false } });
  });

  it('useSandboxPassword without a running sandbox is ECONFIG', async () => {
    const result = await handlers.table['send:message']({
      server: { host: '127.0.0.1', port: 1, security: 'starttls', user: 'sandbox' },
      message: { from: 'a@b.test', to: ['c@d.test'], subject: 's', text: '' },
      security: 'default',
      useSandboxPassword: true,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'ECONFIG' } });
  });
});

describe('attachment handlers', () => {
  it('describe dropped files by path: size, or why not; no picker without one', async () => {
    const file = join(home, 'scan.pdf');
    writeFileSync(file, Buffer.alloc(1234));
    const described = await handlers.table['attachments:describe']({ paths: [file, join(home, 'missing.pdf'), home] });
    expect(described).toEqual({
      ok: true,
      value: [
        { path: file, name: 'scan.pdf', size: 1234 },
        { path: join(home, 'missing.pdf'), name: 'missing.pdf', problem: 'does not exist' },
        { path: home, name: home.split('/').pop(), problem: 'is not a regular file' },
      ],
    });
    expect(await handlers.table['attachments:pick'](undefined)).toMatchObject({ ok: false, error: { code: 'ECONFIG' } });
  });
});

describe('posture handlers', () => {
  it('check a server through IPC, with errors as data', async () => {
    const unreachable = await handlers.table['posture:check-server']({ host: '127.0.0.1', port: 1, security: 'starttls' });
    expect(unreachable.ok).toBe(true);
    if (unreachable.ok) expect(unreachable.value.kind === 'server' && unreachable.value.result.connection.status).toBe('error');
    const missingCa = await handlers.table['posture:check-server']({ host: '127.0.0.1', caFile: '/nonexistent/ca.pem' });
    expect(missingCa).toMatchObject({ ok: false, error: { code: 'EINPUT', field: 'caFile' } });
    const badDomain = await handlers.table['posture:check-domain']({ domain: 'not a domain', resolver: '127.0.0.1:1' });
    expect(badDomain).toMatchObject({ ok: false, error: { code: 'EINPUT', field: 'domain' } });
  });
});

describe('account handlers', () => {
  it('never return a password: set, ask whether stored, send with the stored one, delete', async () => {
    const started = await handlers.table['sandbox:start']({ starttlsPort: 0, implicitPort: 0 });
    if (!started.ok) throw new Error('sandbox did not start');
    const added = await handlers.table['accounts:add']({
      account: {
        name: 'Local', fromAddress: 'me@example.test', host: '127.0.0.1', port: started.value.starttlsPort ?? 0, security: 'starttls', user: 'sandbox',
        authMethod: 'auto', caFile: started.value.caFile, defaultSecurity: 'require-tls', passwordStorage: 'keychain',
      },
      password: 'not-yet-right',
    });
    expect(added.ok).toBe(true);
    if (!added.ok) return;
    expect(added.value.passwordStored).toBe(true);
    expect(JSON.stringify(added.value)).not.toContain('not-yet-right');
    const id = added.value.id;
    expect(await handlers.table['accounts:has-password']({ id })).toEqual({ ok: true, value: { stored: true } });
    // Every channel's answer is checked for the password.
    const everything = JSON.stringify([added, await handlers.table['accounts:list'](undefined)]);
    expect(everything).not.toContain('not-yet-right');
    const wrong = await handlers.table['send:message']({ accountId: id, message: { from: '', to: ['you@example.test'], subject: 's', text: 't' }, security: 'require-tls' });
    expect(wrong.ok && wrong.value.report.error?.code).toBe('EAUTH');
    expect(await handlers.table['accounts:delete-password']({ id })).toEqual({ ok: true, value: { deleted: true } });
    expect(await handlers.table['accounts:has-password']({ id })).toEqual({ ok: true, value: { stored: false } });
    expect(await credentials.get(id)).toBeUndefined();
    expect(await handlers.table['accounts:remove']({ id })).toEqual({ ok: true, value: { removed: true } });
    await handlers.table['sandbox:stop'](undefined);
  });
});
