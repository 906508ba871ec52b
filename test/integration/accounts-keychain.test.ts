import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../electron/core/sandbox/sandbox.js';
import type { AccountView } from '../../shared/types/account.js';
import { peerAvailable, waitFor } from '../helpers/peers.js';
import { makeTestPki, type TestPki } from '../helpers/pki.js';
import { postfixInstalled, startPostfix, type PostfixPeer } from '../helpers/postfix.js';
import { filesUnder, keychainLookup, secretServiceInstalled, startSecretService, type SecretService } from '../helpers/secret-service.js';
import { containsSecret } from '../helpers/submit.js';

// Accounts through the hoplight command, with a real Secret Service (gnome-keyring on a private session bus).
const root = resolve(__dirname, '..', '..');
const available = peerAvailable('gnome-keyring + dbus', secretServiceInstalled(), 'apt-get install gnome-keyring dbus, or run scripts/install-test-peers.sh');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function hoplight(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'hoplight.cjs'), ...args], { cwd: root, env: { ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The password, plain or as AUTH would encode it, must appear nowhere in the data folder or the outputs. */
function expectNoSecret(home: string, secret: string, outputs: Run[]): void {
  for (const file of filesUnder(home)) expect(containsSecret(file.bytes.toString('latin1'), secret), file.path).toBe(false);
  for (const run of outputs) expect(containsSecret(run.stdout + run.stderr, secret)).toBe(false);
}

describe.skipIf(!available)('accounts with the OS keychain', () => {
  let keyring: SecretService;
  let sandbox: RunningSandbox;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const outputs: Run[] = [];
  const run = async (args: string[], input = ''): Promise<Run> => {
    const result = await hoplight(args, env, input);
    outputs.push(result);
    return result;
  };

  beforeAll(async () => {
    keyring = await startSecretService();
    home = mkdtempSync(join(tmpdir(), 'hoplight-accounts-'));
    env = { ...keyring.env, HOPLIGHT_HOME: home };
    sandbox = await startSandbox({ dataDir: home, starttlsPort: 0, implicitPort: 0 });
  });
  afterAll(async () => {
    await sandbox?.server.close();
    await keyring?.stop();
  });

  const addArgs = (): string[] => ['accounts', 'add', '--name', 'Sandbox', '--from', 'me@example.test', '--from-name', 'Me', '--host', '127.0.0.1', '--port', String(sandbox.starttlsPort), '--security', 'starttls', '--user', 'sandbox', '--password-stdin', '--ca', sandbox.caFile, '--default-security', 'require-tls'];

  it('adds an account: the password goes to the keychain and nowhere on disk', async () => {
    const added = await run(addArgs(), sandbox.password);
    expect(added.status, added.stderr).toBe(0);
    const [account] = JSON.parse((await run(['accounts', 'list', '--json'])).stdout) as AccountView[];
    expect(account).toMatchObject({ name: 'Sandbox', passwordStored: true, passwordStorage: 'keychain', defaultSecurity: 'require-tls' });
    expect(keychainLookup(keyring.env, account?.id ?? '')).toBe(sandbox.password);
    expect(JSON.parse(readFileSync(join(home, 'accounts.json'), 'utf8')).accounts[0]).not.toHaveProperty('password');
    expectNoSecret(home, sandbox.password, outputs);
  });

  it('sends with --account, reading the password back from the keychain and the account’s default security', async () => {
    const sent = await run(['send', '--account', 'Sandbox', '--to', 'friend@example.test', '--subject', 'via account', '--text', 'hello', '--json']);
    expect(sent.status, sent.stderr).toBe(0);
    const report = JSON.parse(sent.stdout);
    expect(report.securityChoice).toBe('require-tls');
    expect(report.submissionHop.requireTls.accepted).toBe(true);
    expect(report.message.envelopeFrom).toBe('me@example.test');
    await waitFor('the stored message', () => readdirSync(join(home, 'sandbox', 'messages')).find((f) => f.endsWith('.eml')));
    expectNoSecret(home, sandbox.password, outputs);
  });

  it('flags override the account: --security-choice default', async () => {
    const sent = await run(['send', '--account', 'sandbox', '--security-choice', 'default', '--to', 'friend@example.test', '--subject', 's', '--text', 't', '--json']);
    expect(sent.status, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout).submissionHop.requireTls.requested).toBe(false);
  });

  it('replaces the password: a wrong one fails the send, the right one works again', async () => {
    expect((await run(['accounts', 'password', 'Sandbox', '--password-stdin'], 'wrong-password-here')).status).toBe(0);
    const failing = await run(['send', '--account', 'Sandbox', '--to', 'x@example.test', '--subject', 's', '--text', 't', '--json']);
    expect(failing.status).toBe(5);
    expect(JSON.parse(failing.stdout).error.code).toBe('EAUTH');
    expect((await run(['accounts', 'password', 'Sandbox', '--password-stdin'], sandbox.password)).status).toBe(0);
    expect((await run(['send', '--account', 'Sandbox', '--to', 'x@example.test', '--subject', 's', '--text', 't'])).status).toBe(0);
    expectNoSecret(home, sandbox.password, outputs);
    expectNoSecret(home, 'wrong-password-here', outputs);
  });

  it('tests the account without sending mail', async () => {
    const before = readdirSync(join(home, 'sandbox', 'messages')).length;
    const tested = await run(['accounts', 'test', 'Sandbox', '--json']);
    expect(tested.status, tested.stdout + tested.stderr).toBe(0);
    const result = JSON.parse(tested.stdout);
    expect(result.steps.map((s: { step: string; ok: boolean }) => `${s.step}:${s.ok}`)).toEqual(['connect:true', 'tls:true', 'auth:true', 'posture:true']);
    expect(result.posture.findings.map((f: { id: string }) => f.id)).toContain('requiretls.supported');
    expect(readdirSync(join(home, 'sandbox', 'messages')).length).toBe(before);
  });

  it('removes the account and its secret', async () => {
    const [account] = JSON.parse((await run(['accounts', 'list', '--json'])).stdout) as AccountView[];
    expect((await run(['accounts', 'remove', 'Sandbox'])).status).toBe(0);
    expect(keychainLookup(keyring.env, account?.id ?? '')).toBeNull();
    expect(JSON.parse((await run(['accounts', 'list', '--json'])).stdout)).toEqual([]);
    expectNoSecret(home, sandbox.password, outputs);
  });

  it('without a session bus: the clear "no keychain" error, and nothing written', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'hoplight-nokeychain-'));
    const noBus = { ...process.env, HOPLIGHT_HOME: empty, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(empty, 'no-such-bus')}` };
    const refused = await hoplight(addArgs(), noBus, 'a-password-123');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/No keychain is available/);
    expect(refused.stderr).toMatch(/--ask-password/);
    expect(readdirSync(empty)).toEqual([]);
    // Asked at each send instead: stored without a password, and a send needs one typed.
    const asking = await hoplight([...addArgs().filter((a) => a !== '--password-stdin'), '--ask-password'], noBus);
    expect(asking.status, asking.stderr).toBe(0);
    const unsent = await hoplight(['send', '--account', 'Sandbox', '--to', 'x@example.test', '--subject', 's', '--text', 't'], noBus);
    expect(unsent.status).toBe(2);
    expect(unsent.stderr).toMatch(/asks for its password at each send/);
    const typed = await hoplight(['send', '--account', 'Sandbox', '--password-stdin', '--to', 'x@example.test', '--subject', 's', '--text', 't'], noBus, sandbox.password);
    expect(typed.status, typed.stdout).toBe(0);
    expectNoSecret(empty, sandbox.password, [refused, asking, unsent, typed]);
  });
});

const postfixHere = available && peerAvailable('Postfix + Dovecot', postfixInstalled(), 'run scripts/install-test-peers.sh, and the tests, as root');
describe.skipIf(!postfixHere)('an account for a real submission server (Postfix)', () => {
  let keyring: SecretService;
  let pki: TestPki;
  let postfix: PostfixPeer;
  beforeAll(async () => {
    keyring = await startSecretService();
    pki = makeTestPki();
    postfix = await startPostfix(pki);
  });
  afterAll(async () => {
    await postfix?.stop();
    await keyring?.stop();
  });

  it('adds, sends with --account, and the delivered copy shows TLS', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hoplight-accounts-pf-'));
    const env = { ...keyring.env, HOPLIGHT_HOME: home };
    const add = await hoplight(['accounts', 'add', '--name', 'Office', '--from', 'alice@hoplight.test', '--host', '127.0.0.1', '--port', String(postfix.submissionPort), '--security', 'starttls', '--user', postfix.user, '--password-stdin', '--ca', pki.caFile], env, postfix.password);
    expect(add.status, add.stderr).toBe(0);
    const sent = await hoplight(['send', '--account', 'Office', '--to', 'bob@example.test', '--subject', 'account to postfix', '--text', 'hi'], env);
    expect(sent.status, sent.stdout).toBe(0);
    const delivered = await waitFor('delivery', () => postfix.delivered().find((m) => m.includes('account to postfix')));
    expect(delivered).toMatch(/using TLSv1\.3/);
    expectNoSecret(home, postfix.password, [add, sent]);
  });
});

describe('the accounts file', () => {
  const home = (): string => mkdtempSync(join(tmpdir(), 'hoplight-file-'));
  const env = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, HOPLIGHT_HOME: dir });

  it('a hand-broken file is moved aside, never overwritten, with a clear error', async () => {
    const dir = home();
    writeFileSync(join(dir, 'accounts.json'), '{ "accounts": [ { this is not json');
    const first = await hoplight(['accounts', 'list'], env(dir));
    expect(first.status).toBe(2);
    expect(first.stderr).toMatch(/is damaged .* moved to .*accounts\.json\.broken-/);
    const aside = readdirSync(dir).find((f) => f.startsWith('accounts.json.broken-'));
    expect(readFileSync(join(dir, aside ?? ''), 'utf8')).toBe('{ "accounts": [ { this is not json');
    expect((await hoplight(['accounts', 'list', '--json'], env(dir))).stdout.trim()).toBe('[]');
  });

  it('a file that breaks the schema is moved aside too', async () => {
    const dir = home();
    writeFileSync(join(dir, 'accounts.json'), JSON.stringify({ accounts: [{ id: 'x', name: 'Bad', port: 'many' }], __internal__: { migrations: { version: '1.1.0' } } }));
    const run = await hoplight(['accounts', 'list'], env(dir));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/damaged/);
  });

  it('a version 1.0.0 file is migrated to the current format', async () => {
    const dir = home();
    const legacy = { id: '6f2c1f5e-8a43-4d0b-9b7a-3e1c2d4f5a6b', name: 'Old', fromAddress: 'old@example.test', host: 'mail.example.test', port: 465, security: 'implicit', user: 'old', authMethod: 'auto' };
    writeFileSync(join(dir, 'accounts.json'), JSON.stringify({ accounts: [legacy], __internal__: { migrations: { version: '1.0.0' } } }));
    const run = await hoplight(['accounts', 'list', '--json'], { ...env(dir), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)[0]).toMatchObject({ name: 'Old', passwordStorage: 'keychain', defaultSecurity: 'default', passwordStored: 'unknown' });
    expect(JSON.parse(readFileSync(join(dir, 'accounts.json'), 'utf8')).__internal__.migrations.version).toBe('1.1.0');
  });
});
