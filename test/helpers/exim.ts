import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandExists, freePort, waitForPort, type MtaPeer } from './peers.js';
import type { TestPki } from './pki.js';

/** Where scripts/install-test-peers.sh unpacks Debian's exim4-daemon-heavy. */
export const EXIM_ROOT = process.env.HOPLIGHT_EXIM_ROOT ?? '/opt/hoplight-peers/exim';
const EXIM = join(EXIM_ROOT, 'usr', 'sbin', 'exim4');

/** Debian's Exim 4.96 as a second real MTA: STARTTLS and implicit TLS, PIPECONNECT, no REQUIRETLS. */
export type EximPeer = MtaPeer;

/** Whether the unpacked Exim binary and its user exist, and we are root (Exim drops to Debian-exim from root). */
export function eximInstalled(): boolean {
  return commandExists(EXIM) && spawnSync('id', ['Debian-exim'], { stdio: 'ignore' }).status === 0 && process.getuid?.() === 0;
}

function ids(name: string): { uid: number; gid: number } {
  const out = spawnSync('id', [name], { encoding: 'utf8' }).stdout;
  const uid = Number(/uid=(\d+)/.exec(out)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(out)?.[1]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no user ${name}`);
  return { uid, gid };
}

/** Starts Exim in the foreground with a config of its own in a temp folder; every recipient lands in one maildir. */
export async function startExim(pki: TestPki): Promise<EximPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'hoplight-exim-'));
  chmodSync(dir, 0o755);
  const [submissionPort, implicitPort] = [await freePort(), await freePort()];
  const user = 'bob';
  const password = `pw${Math.random().toString(36).slice(2)}Xy7`;
  const exim = ids('Debian-exim');
  const spool = join(dir, 'spool');
  const logs = join(dir, 'log');
  const mail = join(dir, 'mail');
  for (const d of [spool, logs, mail]) {
    mkdirSync(d, { recursive: true });
    chownSync(d, exim.uid, exim.gid);
  }
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, pki.server.certPem);
  writeFileSync(key, pki.server.keyPem, { mode: 0o640 });
  chownSync(key, 0, exim.gid);
  const config = join(dir, 'exim.conf');
  writeFileSync(
    config,
    `exim_path = ${EXIM}
primary_hostname = exim.hoplight.test
spool_directory = ${spool}
log_file_path = ${logs}/%slog
pid_file_path = ${dir}/exim.pid
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
local_interfaces = <; 127.0.0.1
daemon_smtp_ports = ${submissionPort} : ${implicitPort}
tls_on_connect_ports = ${implicitPort}
tls_certificate = ${cert}
tls_privatekey = ${key}
tls_advertise_hosts = *
pipelining_connect_advertise_hosts = *
auth_advertise_hosts = \${if def:tls_in_cipher {*}{}}
host_lookup =
log_selector = +smtp_connection
rfc1413_hosts =
smtputf8_advertise_hosts = *
domainlist local_domains = *
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_rcpt:
  accept authenticated = *
  deny message = Authentication required

begin routers
catchall:
  driver = accept
  transport = maildir

begin transports
maildir:
  driver = appendfile
  directory = ${mail}
  maildir_format
  user = Debian-exim
  group = Debian-exim
  delivery_date_add
  envelope_to_add
  return_path_add

begin authenticators
PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_condition = \${if and {{eq{$auth2}{${user}}}{eq{$auth3}{${password}}}}}
  server_set_id = $auth2
  server_advertise_condition = \${if def:tls_in_cipher}
LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = <| Username: | Password:
  server_condition = \${if and {{eq{$auth1}{${user}}}{eq{$auth2}{${password}}}}}
  server_set_id = $auth1
  server_advertise_condition = \${if def:tls_in_cipher}
`,
  );
  let output = '';
  const child: ChildProcess = spawn(EXIM, ['-C', config, '-bdf', '-q30s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const readLogs = (): string =>
    `${output}\n${existsSync(logs) ? readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8')).join('\n') : ''}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all([waitForPort(submissionPort), waitForPort(implicitPort)]);
  } catch (error) {
    const log = readLogs();
    await stop();
    throw new Error(`Exim did not start: ${(error as Error).message}\n${log}`);
  }
  const maildirNew = join(mail, 'new');
  return {
    submissionPort,
    implicitPort,
    user,
    password,
    delivered: () => (existsSync(maildirNew) ? readdirSync(maildirNew).sort().map((f) => readFileSync(join(maildirNew, f), 'utf8')) : []),
    log: readLogs,
    stop,
  };
}
