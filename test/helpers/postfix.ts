import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { commandExists, freePort, waitForPort, type MtaPeer } from './peers.js';
import type { TestPki } from './pki.js';

/**
 * Debian's Postfix 3.7 with Dovecot SASL, as a real submission server on loopback ports; `trustedPort` is a
 * STARTTLS listener that takes mail without a login from 127.0.0.1 (a trusted-network submission, as some
 * offices run), refusing the recipient refused@example.test.
 */
export type PostfixPeer = MtaPeer & { readonly trustedPort: number; readonly maildir: string };

/** Whether Postfix and Dovecot are installed, and we are root (Postfix's master must start as root). */
export function postfixInstalled(): boolean {
  return commandExists('/usr/sbin/postfix') && commandExists('/usr/sbin/dovecot') && process.getuid?.() === 0;
}

function id(kind: 'passwd' | 'group', name: string): number {
  const entry = spawnSync('getent', [kind, name], { encoding: 'utf8' }).stdout.trim();
  const value = Number(entry.split(':')[2]);
  if (!entry || !Number.isInteger(value)) throw new Error(`no ${kind} entry for ${name}`);
  return value;
}

/** Starts Postfix and Dovecot with configs of their own in a temp folder; nothing leaves the machine. */
export async function startPostfix(pki: TestPki, options: { hardened?: boolean; messageSizeLimit?: number } = {}): Promise<PostfixPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'hoplight-postfix-'));
  chmodSync(dir, 0o755); // Postfix's and Dovecot's own users must reach their folders inside.
  const [smtpPort, submissionPort, implicitPort, trustedPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const user = 'alice';
  const password = `pw-${Math.random().toString(36).slice(2)}-Zq9`;
  const config = join(dir, 'etc');
  const queue = join(dir, 'queue');
  const data = join(dir, 'data');
  const mail = join(dir, 'mail');
  const maillog = join('/var/tmp', `${basename(dir)}.log`);
  for (const d of [config, queue, data, mail]) mkdirSync(d, { recursive: true });
  const nobody = id('passwd', 'nobody');
  const nogroup = id('group', 'nogroup');
  chownSync(mail, nobody, nogroup);
  chownSync(data, id('passwd', 'postfix'), id('group', 'postfix'));
  const pem = join(dir, 'server.pem');
  writeFileSync(pem, pki.server.keyPem + pki.server.certPem, { mode: 0o600 });

  writeFileSync(
    join(config, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${queue}`,
      `data_directory = ${data}`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'myhostname = mx.hoplight.test',
      'mydomain = hoplight.test',
      'mydestination =',
      'mynetworks = 127.0.0.1/32',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      // Postfix may log only under /var or to /dev/stdout, and /dev/stdout cannot be opened when it is Node's
      // socket-backed pipe (ENXIO): log to a file under /var/tmp instead.
      `maillog_file = ${maillog}`,
      'alias_maps =',
      'alias_database =',
      'local_recipient_maps =',
      'smtputf8_enable = yes',
      // Every recipient lands in one local maildir; nothing is ever relayed.
      'virtual_mailbox_domains = static:all',
      `virtual_mailbox_base = ${mail}`,
      'virtual_mailbox_maps = static:catchall/',
      `virtual_uid_maps = static:${nobody}`,
      `virtual_gid_maps = static:${nogroup}`,
      'transport_maps = static:virtual',
      'default_transport = error:tests never relay',
      'relay_transport = error:tests never relay',
      `smtpd_tls_chain_files = ${pem}`,
      'smtpd_tls_security_level = may',
      'smtpd_tls_received_header = yes',
      'smtpd_sasl_type = dovecot',
      'smtpd_sasl_path = private/auth',
      'smtpd_relay_restrictions = permit_sasl_authenticated, reject',
      'smtpd_recipient_restrictions = permit_sasl_authenticated, reject',
      // For the trusted listener only (master.cf names it).
      'trusted_recipient_restrictions = check_recipient_access inline:{ refused@example.test=REJECT }, permit_mynetworks, reject',
      // Benchmarks send attachments larger than Postfix's 10 MB default (and its 51 MB mailbox-file limit).
      ...(options.messageSizeLimit ? [`message_size_limit = ${options.messageSizeLimit}`, 'virtual_mailbox_limit = 0'] : []),
      ...(options.hardened ? ['smtpd_tls_mandatory_ciphers = high', 'smtpd_tls_exclude_ciphers = aNULL', 'tls_preempt_cipherlist = yes', 'smtpd_tls_protocols = >=TLSv1.2', 'smtpd_tls_mandatory_protocols = >=TLSv1.2'] : []),
      '',
    ].join('\n'),
  );
  const service = (name: string, type: string, extra = ''): string => `${name} ${type} - - n - - ${extra}`.trim();
  writeFileSync(
    join(config, 'master.cf'),
    [
      `127.0.0.1:${smtpPort} inet n - n - - smtpd`,
      `127.0.0.1:${submissionPort} inet n - n - - smtpd`,
      '  -o smtpd_tls_security_level=encrypt',
      '  -o smtpd_sasl_auth_enable=yes',
      '  -o smtpd_tls_auth_only=yes',
      `127.0.0.1:${implicitPort} inet n - n - - smtpd`,
      '  -o smtpd_tls_wrappermode=yes',
      '  -o smtpd_sasl_auth_enable=yes',
      `127.0.0.1:${trustedPort} inet n - n - - smtpd`,
      '  -o smtpd_tls_security_level=encrypt',
      '  -o smtpd_sasl_auth_enable=no',
      '  -o smtpd_relay_restrictions=permit_mynetworks,reject',
      '  -o smtpd_recipient_restrictions=$trusted_recipient_restrictions',
      'pickup unix n - n 60 1 pickup',
      'cleanup unix n - n - 0 cleanup',
      'qmgr unix n - n 300 1 qmgr',
      'tlsmgr unix - - n 1000? 1 tlsmgr',
      service('rewrite', 'unix', 'trivial-rewrite'),
      service('bounce', 'unix', 'bounce'),
      service('defer', 'unix', 'bounce'),
      service('trace', 'unix', 'bounce'),
      service('verify', 'unix', 'verify'),
      'flush unix n - n 1000? 0 flush',
      service('proxymap', 'unix', 'proxymap'),
      service('smtp', 'unix', 'smtp'),
      service('relay', 'unix', 'smtp'),
      service('showq', 'unix', 'showq'),
      service('error', 'unix', 'error'),
      service('retry', 'unix', 'error'),
      service('discard', 'unix', 'discard'),
      'virtual unix - n n - - virtual',
      service('anvil', 'unix', 'anvil'),
      service('scache', 'unix', 'scache'),
      'postlog unix-dgram n - n - 1 postlogd',
      '',
    ].join('\n'),
  );

  const dovecotRun = join(dir, 'dovecot-run');
  mkdirSync(dovecotRun);
  writeFileSync(join(dir, 'users'), `${user}:{PLAIN}${password}\n`, { mode: 0o640 });
  chownSync(join(dir, 'users'), 0, id('group', 'dovecot'));
  const dovecotConf = join(dir, 'dovecot.conf');
  writeFileSync(
    dovecotConf,
    [
      'protocols =',
      'listen = 127.0.0.1',
      `base_dir = ${dovecotRun}`,
      `state_dir = ${dovecotRun}`,
      'log_path = /dev/stderr',
      'ssl = no',
      'auth_mechanisms = plain login',
      'auth_failure_delay = 0',
      `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${join(dir, 'users')}\n}`,
      `userdb {\n  driver = static\n  args = uid=${nobody} gid=${nogroup} home=${mail}\n}`,
      `service auth {\n  unix_listener ${join(queue, 'private', 'auth')} {\n    mode = 0660\n    user = postfix\n    group = postfix\n  }\n}`,
      '',
    ].join('\n'),
  );

  let postfixLog = '';
  const checked = spawnSync('/usr/sbin/postfix', ['-c', config, 'check'], { encoding: 'utf8' });
  postfixLog += checked.stdout + checked.stderr;
  mkdirSync(join(queue, 'private'), { recursive: true });
  const dovecot: ChildProcess = spawn('/usr/sbin/dovecot', ['-F', '-c', dovecotConf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let dovecotLog = '';
  dovecot.stdout?.on('data', (d: Buffer) => (dovecotLog += d.toString()));
  dovecot.stderr?.on('data', (d: Buffer) => (dovecotLog += d.toString()));
  const postfix: ChildProcess = spawn('/usr/sbin/postfix', ['-c', config, 'start-fg'], { stdio: ['ignore', 'pipe', 'pipe'] });
  postfix.stdout?.on('data', (d: Buffer) => (postfixLog += d.toString()));
  postfix.stderr?.on('data', (d: Buffer) => (postfixLog += d.toString()));

  const stop = async (): Promise<void> => {
    spawnSync('/usr/sbin/postfix', ['-c', config, 'stop'], { stdio: 'ignore' });
    dovecot.kill('SIGTERM');
    await Promise.all([postfix, dovecot].map((p) => (p.exitCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
    rmSync(maillog, { force: true });
  };
  try {
    await Promise.all([waitForPort(submissionPort), waitForPort(implicitPort), waitForPort(trustedPort)]);
    // Dovecot's auth socket must exist before Postfix can offer AUTH.
    const socket = join(queue, 'private', 'auth');
    const deadline = Date.now() + 10_000;
    while (!existsSync(socket)) {
      if (Date.now() > deadline) throw new Error(`Dovecot did not create its auth socket:\n${dovecotLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    const logs = `${postfixLog}\n${existsSync(maillog) ? readFileSync(maillog, 'utf8') : ''}\n${dovecotLog}`;
    await stop();
    throw new Error(`Postfix did not start: ${(error as Error).message}\n${logs}`);
  }

  const maildirNew = join(mail, 'catchall', 'new');
  return {
    submissionPort,
    implicitPort,
    trustedPort,
    maildir: maildirNew,
    user,
    password,
    delivered: () => (existsSync(maildirNew) ? readdirSync(maildirNew).sort().map((f) => readFileSync(join(maildirNew, f), 'utf8')) : []),
    log: () => `${postfixLog}\n${existsSync(maillog) ? readFileSync(maillog, 'utf8') : ''}\n${dovecotLog}`,
    stop,
  };
}
