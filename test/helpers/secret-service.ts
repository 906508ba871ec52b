import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { commandExists } from './peers.js';

/** Whether a session D-Bus and gnome-keyring are installed. */
export function secretServiceInstalled(): boolean {
  return commandExists('/usr/bin/dbus-daemon') && commandExists('/usr/bin/gnome-keyring-daemon');
}

/** A real Secret Service for one test file: its own session bus, gnome-keyring unlocked, its data in a temp folder. */
export interface SecretService {
  /** The environment a process needs to reach this Secret Service. */
  readonly env: NodeJS.ProcessEnv;
  /** The keyring files on disk (to prove what they hold, and what other folders do not). */
  readonly dataDir: string;
  stop(): Promise<void>;
}

const root = resolve(__dirname, '..', '..');

/** Reads a secret as Hoplight files it (service "hoplight", keyed by account id), through @napi-rs/keyring. */
export function keychainLookup(env: NodeJS.ProcessEnv, accountId: string): string | null {
  const script = `const {Entry}=require('@napi-rs/keyring');process.stdout.write(JSON.stringify(new Entry('hoplight',${JSON.stringify(accountId)}).getPassword()))`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: root, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`keychain lookup failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string | null;
}

/** Starts dbus-daemon and gnome-keyring-daemon (secrets component), and waits until the keychain answers. */
export async function startSecretService(): Promise<SecretService> {
  const dir = mkdtempSync(join(tmpdir(), 'hoplight-keyring-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const address = `unix:path=${join(dir, 'bus')}`;
  const bus: ChildProcess = spawn('/usr/bin/dbus-daemon', ['--session', '--nofork', `--address=${address}`], { stdio: 'ignore' });
  const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, XDG_DATA_HOME: dataDir, XDG_RUNTIME_DIR: dir };
  const deadline = Date.now() + 10_000;
  while (spawnSync('dbus-send', ['--session', '--dest=org.freedesktop.DBus', '--type=method_call', '--print-reply', '/org/freedesktop/DBus', 'org.freedesktop.DBus.ListNames'], { env, stdio: 'ignore' }).status !== 0) {
    if (Date.now() > deadline) throw new Error('the session bus did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  let stop = async (): Promise<void> => undefined;
  const keyring: ChildProcess = spawn('/usr/bin/gnome-keyring-daemon', ['--unlock', '--components=secrets', '--foreground'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
  keyring.stdin?.end('test-keyring-unlock');
  stop = async (): Promise<void> => {
    for (const child of [keyring, bus]) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // gnome-keyring creates the login collection from the unlock password; a client that asks earlier finds no
  // default collection, and writes then fail for good. So wait for the keyring file first.
  while (!existsSync(join(dataDir, 'keyrings', 'login.keyring'))) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error('gnome-keyring did not create its login keyring');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // Ready when a secret can be written and deleted.
  const probe = `const {Entry}=require('@napi-rs/keyring');const e=new Entry('hoplight-test','readiness');e.setPassword('x');e.deletePassword()`;
  for (;;) {
    try {
      const result = spawnSync(process.execPath, ['-e', probe], { cwd: root, env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(result.stderr.trim().split('\n').pop());
      return { env, dataDir, stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`gnome-keyring did not come up: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Every file under a folder, as bytes (to search for secrets). */
export function filesUnder(folder: string): { path: string; bytes: Buffer }[] {
  return (readdirSync(folder, { recursive: true }) as string[])
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, bytes: readFileSync(path) }));
}
