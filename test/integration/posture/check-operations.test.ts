import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsService } from '../../../electron/core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../../../electron/core/accounts/account-store.js';
import { MemoryCredentialStore } from '../../../electron/core/accounts/credential-store.js';
import { checkServer } from '../../../electron/core/posture/server-check.js';
import { startLocalSubmissionServer, type LocalServer } from '../../../electron/core/sandbox/local-submission-server.js';
import { createHandlers, type Handlers } from '../../../electron/ipc/handler-table.js';
import type { CheckStep, RecentChecks, StoredCheck } from '../../../shared/types/posture.js';
import { makeTestPki, type TestPki } from '../../helpers/pki.js';

let pki: TestPki;
let server: LocalServer;
let silent: Server;
const sockets: Socket[] = [];
let handlers: Handlers;
const home = mkdtempSync(join(tmpdir(), 'hoplight-checks-'));
const events: { operationId: string; step: CheckStep }[] = [];
let saveTo: string | undefined;

beforeAll(async () => {
  pki = makeTestPki();
  writeFileSync(join(home, 'ca.pem'), pki.ca.certPem);
  server = await startLocalSubmissionServer({ starttlsPort: 0, implicitPort: 0, tls: pki.server, auth: { user: 'u', password: 'p4ssw0rd-x' }, advertiseRequireTls: true, onMessage: () => undefined });
  // Accepts and never greets: a check of it waits until cancelled.
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  handlers = createHandlers({
    dataDir: home,
    accounts: new AccountsService(() => new AccountStore(openAccountsFile(home)), new MemoryCredentialStore()),
    emit: (channel, payload) => {
      if (channel === 'posture:progress') events.push(payload as (typeof events)[number]);
    },
    saveFile: async () => saveTo,
  });
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((done) => silent.close(done));
  await server.close();
  await handlers.dispose();
});

const silentPort = (): number => (silent.address() as { port: number }).port;

describe('a server check as an operation', () => {
  it('reports each probe as it starts and ends, and the finished check is kept across a restart of main', async () => {
    const checked = await handlers.table['posture:check-server']({ host: '127.0.0.1', port: server.starttlsPort, security: 'starttls', caFile: join(home, 'ca.pem'), operationId: 'check-1' });
    expect(checked.ok, JSON.stringify(checked)).toBe(true);
    const stored = (checked as { value: StoredCheck }).value;
    expect(stored).toMatchObject({ kind: 'server', target: `127.0.0.1:${server.starttlsPort}` });
    expect(stored.kind === 'server' && stored.result.extensions.status).toBe('completed');

    const steps = events.filter((e) => e.operationId === 'check-1').map((e) => e.step);
    const ids = ['main', 'injection', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
    // Every probe started, and every one ended exactly once after it started.
    for (const id of ids) {
      const mine = steps.filter((s) => s.id === id).map((s) => s.state);
      expect(mine[0], id).toBe('running');
      expect(mine).toHaveLength(2);
    }
    expect(steps.find((s) => s.id === 'main' && s.state !== 'running')?.state).toBe('done');
    expect(steps.find((s) => s.id === 'TLSv1.3' && s.state !== 'running')?.state).toBe('done');

    // Kept in the data folder (mode 600), so a new main process lists it too.
    const file = join(home, 'checks', 'recent.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = createHandlers({ dataDir: home, accounts: new AccountsService(() => new AccountStore(openAccountsFile(home)), new MemoryCredentialStore()), emit: () => undefined });
    const listed = await again.table['posture:recent'](undefined);
    await again.dispose();
    expect(listed.ok && listed.value.checks.map((c) => c.id)).toEqual([stored.id]);
  });

  it('exports a kept check as the same document as `hoplight check --json`, where the save dialog says', async () => {
    const recent = (await handlers.table['posture:recent'](undefined)) as { ok: true; value: RecentChecks };
    const id = recent.value.checks[0]!.id;
    saveTo = join(home, 'exported.json');
    expect(await handlers.table['posture:export']({ id })).toEqual({ ok: true, value: { savedTo: saveTo } });
    expect(JSON.parse(readFileSync(saveTo, 'utf8'))).toEqual(recent.value.checks[0]!.result);
    // Cancelling the dialog saves nothing and is not an error.
    saveTo = undefined;
    expect(await handlers.table['posture:export']({ id })).toEqual({ ok: true, value: {} });
    expect(await handlers.table['posture:export']({ id: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ ok: false, error: { code: 'EINPUT', field: 'id' } });
  });

  it('a check of a server that never answers ends at once when cancelled, and nothing of it is kept', async () => {
    const before = ((await handlers.table['posture:recent'](undefined)) as { ok: true; value: RecentChecks }).value.checks.length;
    const started = performance.now();
    const running = handlers.table['posture:check-server']({ host: '127.0.0.1', port: silentPort(), security: 'starttls', operationId: 'check-2' });
    await expect.poll(() => events.some((e) => e.operationId === 'check-2' && e.step.state === 'running')).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(await handlers.table['posture:cancel']({ operationId: 'check-2' })).toEqual({ ok: true, value: { cancelled: true } });
    expect(await running).toMatchObject({ ok: false, error: { code: 'ECANCELLED' } });
    // The greeting timeout is 20 s; cancelling did not wait for it.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(((await handlers.table['posture:recent'](undefined)) as { ok: true; value: RecentChecks }).value.checks).toHaveLength(before);
    expect(await handlers.table['posture:cancel']({ operationId: 'check-2' })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('core: an aborted signal stops every probe, and a check started cancelled never connects', async () => {
    const controller = new AbortController();
    const running = checkServer({ host: '127.0.0.1', port: silentPort(), security: 'starttls', signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(running).rejects.toMatchObject({ code: 'ECANCELLED' });
    const connections = sockets.length;
    await expect(checkServer({ host: '127.0.0.1', port: silentPort(), signal: controller.signal })).rejects.toMatchObject({ code: 'ECANCELLED' });
    expect(sockets.length).toBe(connections);
  });

  it('forgets one check or all, and sets a damaged list aside instead of losing it silently', async () => {
    const first = (await handlers.table['posture:check-server']({ host: '127.0.0.1', port: server.starttlsPort, caFile: join(home, 'ca.pem') })) as { ok: true; value: StoredCheck };
    const all = ((await handlers.table['posture:recent'](undefined)) as { ok: true; value: RecentChecks }).value.checks;
    expect(all.length).toBeGreaterThanOrEqual(2);
    const afterOne = (await handlers.table['posture:forget']({ id: first.value.id })) as { ok: true; value: RecentChecks };
    expect(afterOne.value.checks.map((c) => c.id)).not.toContain(first.value.id);
    expect(afterOne.value.checks).toHaveLength(all.length - 1);
    expect(((await handlers.table['posture:forget']({})) as { ok: true; value: RecentChecks }).value.checks).toEqual([]);

    writeFileSync(join(home, 'checks', 'recent.json'), '{"version":1,"checks":[');
    const damaged = (await handlers.table['posture:recent'](undefined)) as { ok: true; value: RecentChecks };
    expect(damaged.value.checks).toEqual([]);
    expect(damaged.value.problem).toMatch(/could not be read; it was moved to .*recent\.json\.damaged-\d+/);
  });
});
