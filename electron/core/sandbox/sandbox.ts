import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic-file.js';
import { issueCertificate, type IssuedCertificate } from '../tls/local-ca.js';
import { SANDBOX_HOST_NAME, startLocalSubmissionServer, type LocalServer, type ReceivedMessage } from './local-submission-server.js';

/** Where the sandbox listens by default (high ports: no root needed, unlikely to clash). */
export const SANDBOX_DEFAULT_PORTS = { starttls: 10587, implicit: 10465 } as const;

/** The user name the sandbox accepts. */
export const SANDBOX_USER = 'sandbox';

/** Options for `startSandbox`. */
export interface SandboxOptions {
  readonly dataDir: string;
  readonly starttlsPort?: number;
  readonly implicitPort?: number;
  /** Called after each message is stored. */
  readonly onStored?: (message: ReceivedMessage, files: { eml: string; envelope: string }) => void;
}

/** A running sandbox and what a user needs to send to it. */
export interface RunningSandbox {
  readonly server: LocalServer;
  readonly host: string;
  readonly starttlsPort: number;
  readonly implicitPort: number;
  readonly user: string;
  /** Generated at start, held in memory only, valid until the sandbox stops. */
  readonly password: string;
  readonly caFile: string;
  readonly messagesDir: string;
}

/**
 * Starts the local submission server a newcomer can try: STARTTLS and implicit-TLS ports on 127.0.0.1, a CA
 * made on first run and kept in the data folder, a server certificate issued from it at each start, AUTH with a
 * generated password and REQUIRETLS advertised after TLS. Each accepted message is stored as .eml + envelope JSON.
 */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const dir = join(options.dataDir, 'sandbox');
  const messagesDir = join(dir, 'messages');
  await mkdir(messagesDir, { recursive: true, mode: 0o700 });
  const { ca, caFile } = await loadOrCreateCa(dir);
  const serverCert = issueCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1', '::1'] }, ca);
  const password = randomBytes(18).toString('base64url');
  const host = '127.0.0.1';
  const server = await startLocalSubmissionServer({
    host,
    starttlsPort: options.starttlsPort ?? SANDBOX_DEFAULT_PORTS.starttls,
    implicitPort: options.implicitPort ?? SANDBOX_DEFAULT_PORTS.implicit,
    tls: serverCert,
    auth: { user: SANDBOX_USER, password },
    advertiseRequireTls: true,
    sizeLimit: 50 * 1024 * 1024,
    onMessage: async (message) => {
      const files = await storeMessage(messagesDir, message);
      options.onStored?.(message, files);
    },
  });
  return {
    server,
    host,
    starttlsPort: server.starttlsPort ?? 0,
    implicitPort: server.implicitPort ?? 0,
    user: SANDBOX_USER,
    password,
    caFile,
    messagesDir,
  };
}

async function loadOrCreateCa(dir: string): Promise<{ ca: IssuedCertificate; caFile: string }> {
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  try {
    return { ca: { certPem: await readFile(caFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') }, caFile };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const ca = issueCertificate({ commonName: 'Hoplight sandbox CA (this computer only)', isCa: true, notAfter: new Date(Date.now() + 10 * 365 * 86_400_000) });
  writeFileAtomic(keyFile, ca.keyPem, 0o600);
  writeFileAtomic(caFile, ca.certPem, 0o644);
  return { ca, caFile };
}

/**
 * The sandbox's Received field, in Postfix's words (so `hoplight analyze` and other readers understand it): the
 * TLS version and cipher of the session, the authenticated user, and "(requiretls)" when MAIL FROM carried it.
 */
export function traceField(message: ReceivedMessage): string {
  const { session, envelope } = message;
  const client = session.clientHostname.replace(/[^\x21-\x7e]/g, '');
  const parts = [
    `Received: from ${client} (${client})`,
    ...(session.tlsProtocol ? [`\t(using ${session.tlsProtocol} with cipher ${session.tlsCipher ?? 'unknown'})`] : []),
    ...(session.authenticatedUser ? [`\t(Authenticated sender: ${session.authenticatedUser.replace(/[^\x21-\x7e]/g, '')})`] : []),
    ...(envelope.requireTls ? ['\t(requiretls)'] : []),
    `\tby ${SANDBOX_HOST_NAME} (Hoplight sandbox) with ESMTP${session.tlsProtocol ? 'S' : ''}${session.authenticatedUser ? 'A' : ''} id ${message.id};`,
    `\t${new Date(message.receivedAt).toUTCString().replace('GMT', '+0000')}`,
  ];
  return `${parts.join('\r\n')}\r\n`;
}

async function storeMessage(messagesDir: string, message: ReceivedMessage): Promise<{ eml: string; envelope: string }> {
  const stem = `${message.receivedAt.replace(/[:.]/g, '-')}-${message.id}`;
  const eml = join(messagesDir, `${stem}.eml`);
  const envelope = join(messagesDir, `${stem}.envelope.json`);
  const { raw, ...facts } = message;
  // As any receiving server does (RFC 5321 §4.4), the stored copy begins with the sandbox's trace field.
  writeFileAtomic(eml, Buffer.concat([Buffer.from(traceField(message), 'utf8'), raw]), 0o600);
  writeFileAtomic(envelope, `${JSON.stringify({ ...facts, sizeBytes: raw.length }, null, 2)}\n`, 0o600);
  return { eml, envelope };
}
