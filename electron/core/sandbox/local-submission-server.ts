import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

/** The name the sandbox's submission server greets with and records in its Received fields. */
export const SANDBOX_HOST_NAME = 'hoplight-sandbox.localhost';

/** What the local server recorded about one accepted message. */
export interface ReceivedMessage {
  readonly id: string;
  readonly receivedAt: string;
  readonly envelope: {
    readonly mailFrom: string;
    /** MAIL FROM parameters as sent, e.g. { SIZE: '123', REQUIRETLS: true }. */
    readonly mailFromParameters: Readonly<Record<string, string | boolean>>;
    readonly rcptTo: readonly string[];
    /** RFC 8689: the client sent REQUIRETLS on MAIL FROM. */
    readonly requireTls: boolean;
  };
  readonly session: {
    readonly port: number;
    readonly secure: boolean;
    readonly tlsProtocol?: string;
    readonly tlsCipher?: string;
    readonly authenticatedUser?: string;
    readonly clientHostname: string;
  };
  readonly raw: Buffer;
}

/** How to run the server. */
export interface LocalServerOptions {
  readonly host?: string;
  /** Port for STARTTLS (RFC 3207); 0 picks a free one; undefined: no such listener. */
  readonly starttlsPort?: number;
  /** Port for implicit TLS (RFC 8314); 0 picks a free one; undefined: no such listener. */
  readonly implicitPort?: number;
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  /** Credentials AUTH accepts; undefined: AUTH is optional and no login is needed. */
  readonly auth?: { readonly user: string; readonly password: string };
  /** Advertise REQUIRETLS after TLS (RFC 8689). */
  readonly advertiseRequireTls: boolean;
  /** Offer STARTTLS on the STARTTLS port (false makes a server that cannot encrypt). */
  readonly offerStartTls?: boolean;
  /** SIZE limit in bytes. */
  readonly sizeLimit?: number;
  /** Offer and take AUTH before TLS (a badly configured server, for the checker's tests); never for the sandbox. */
  readonly allowInsecureAuth?: boolean;
  /** Called for each accepted message before the 250 reply; a throw becomes a 451. */
  readonly onMessage: (message: ReceivedMessage) => Promise<void> | void;
}

/** A running server: where it listens and how to stop it. */
export interface LocalServer {
  readonly host: string;
  readonly starttlsPort?: number;
  readonly implicitPort?: number;
  close(): Promise<void>;
}

/** Starts a local submission server on smtp-server, used by `hoplight sandbox` and by the tests as a peer. */
export async function startLocalSubmissionServer(options: LocalServerOptions): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const servers: SMTPServer[] = [];
  const listen = async (port: number, secure: boolean): Promise<number> => {
    const server = new SMTPServer(serverOptions(options, secure));
    server.on('error', () => undefined); // client errors are per connection; never crash the server
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    return (server.server.address() as AddressInfo).port;
  };
  try {
    const starttlsPort = options.starttlsPort === undefined ? undefined : await listen(options.starttlsPort, false);
    const implicitPort = options.implicitPort === undefined ? undefined : await listen(options.implicitPort, true);
    return {
      host,
      ...(starttlsPort === undefined ? {} : { starttlsPort }),
      ...(implicitPort === undefined ? {} : { implicitPort }),
      close: () => closeAll(servers),
    };
  } catch (error) {
    await closeAll(servers);
    throw error;
  }
}

function closeAll(servers: readonly SMTPServer[]): Promise<void> {
  return Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined);
}

function serverOptions(options: LocalServerOptions, secure: boolean): SMTPServerOptions {
  const auth = options.auth;
  return {
    secure,
    key: options.tls.keyPem,
    cert: options.tls.certPem,
    name: SANDBOX_HOST_NAME,
    banner: 'Hoplight sandbox submission server',
    // No reverse DNS of the client (it only delays the greeting, and the sandbox makes no DNS queries).
    disableReverseLookup: true,
    hideSTARTTLS: options.offerStartTls === false,
    hideREQUIRETLS: !options.advertiseRequireTls,
    hidePIPELINING: false,
    hide8BITMIME: false,
    hideSMTPUTF8: false,
    ...(options.sizeLimit ? { size: options.sizeLimit } : {}),
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: auth === undefined,
    allowInsecureAuth: options.allowInsecureAuth === true,
    disabledCommands: auth === undefined ? ['AUTH'] : [],
    logger: false,
    // smtp-server advertises AUTH before TLS (and then refuses it). A client could send its password in
    // cleartext on seeing it, so AUTH is hidden until the session is secure (as Postfix's smtpd_tls_auth_only does).
    onConnect(session, callback) {
      if (!secure && options.allowInsecureAuth !== true) session.disabledCommands = ['AUTH'];
      callback();
    },
    onSecure(_socket, session, callback) {
      session.disabledCommands = auth === undefined ? ['AUTH'] : [];
      callback();
    },
    onAuth(authData, _session, callback) {
      const ok = auth !== undefined && authData.username === auth.user && sameSecret(authData.password ?? '', auth.password);
      if (!ok) return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      callback(null, { user: authData.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(Object.assign(new Error('Message exceeds the size limit'), { responseCode: 552 }));
        const message = record(session, Buffer.concat(chunks));
        Promise.resolve(options.onMessage(message)).then(
          () => callback(null, `Message queued as ${message.id}`),
          (error: unknown) => callback(Object.assign(new Error(`Could not store the message: ${String(error)}`), { responseCode: 451 })),
        );
      });
    },
  };
}

function record(session: SMTPServerSession, raw: Buffer): ReceivedMessage {
  const envelope = session.envelope;
  const mailFrom = envelope.mailFrom === false ? '' : envelope.mailFrom.address;
  const args = envelope.mailFrom === false ? {} : ((envelope.mailFrom.args || {}) as Record<string, string | boolean>);
  const tlsOptions = session.tlsOptions;
  return {
    id: `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`.toUpperCase(),
    receivedAt: new Date().toISOString(),
    envelope: {
      mailFrom,
      mailFromParameters: args,
      rcptTo: envelope.rcptTo.map((r) => r.address),
      requireTls: envelope.requireTLS === true,
    },
    session: {
      port: session.localPort,
      secure: session.secure,
      ...(tlsOptions ? { tlsProtocol: tlsOptions.version, tlsCipher: tlsOptions.name } : {}),
      ...(typeof session.user === 'string' ? { authenticatedUser: session.user } : {}),
      clientHostname: session.hostNameAppearsAs,
    },
    raw,
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
