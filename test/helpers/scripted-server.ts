import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import type { TestPki } from './pki.js';

/** TLS settings for a scripted server's handshake. */
export interface StartTlsOptions extends Pick<TlsOptions, 'minVersion' | 'maxVersion' | 'ciphers'> {
  /** A DER OCSP response to staple when the client asks (RFC 6066). */
  readonly ocspResponse?: Buffer;
  /** Send the CA certificate after the leaf. */
  readonly sendChain?: boolean;
  /** Present this certificate instead of the test server's. */
  readonly certificate?: { certPem: string; keyPem: string };
}

/** What a scripted server can do while handling one command line. */
export interface ScriptContext {
  /** Writes raw bytes (CRLF is not added). */
  write(data: string): void;
  /** Switches the connection to TLS with the test certificate (after the script wrote its 220). */
  startTls(options?: StartTlsOptions): void;
  close(): void;
  /** Stops reading from the client (its writes back up), as a stalled or hostile server does. */
  stopReading(): void;
  /** The socket now carrying the session (for writing floods with back-pressure). */
  socket(): Socket;
  readonly secure: boolean;
  /** Everything the client sent so far (lines and data), as received. */
  readonly received: string[];
  /** The server is in the DATA phase (lines go to the message until "."). */
  inData: boolean;
  /** Keep commands received before STARTTLS and run them inside TLS: the CVE-2011-0411 bug, on purpose. */
  keepBufferAcrossTls?: boolean;
}

/** A handler per command line; return the reply (CRLF added per line) or undefined to say nothing. */
export type Script = (line: string, context: ScriptContext) => string | string[] | undefined;

/** A hand-scripted SMTP server for hostile and broken behaviour no real MTA will show on demand. */
export interface ScriptedServer {
  readonly port: number;
  /** Lines each connection received, per connection. */
  readonly sessions: string[][];
  /** How many client connections have closed. */
  closedCount(): number;
  close(): Promise<void>;
}

/** Starts a scripted server on 127.0.0.1 with a greeting (or raw bytes) and a command script. */
export async function startScriptedServer(pki: TestPki, greeting: string | undefined, script: Script): Promise<ScriptedServer> {
  const sessions: string[][] = [];
  let closed = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => {
      sockets.delete(raw);
      closed += 1;
    });
    raw.on('error', () => undefined);
    const received: string[] = [];
    sessions.push(received);
    let socket: Socket = raw;
    let buffer = '';
    let upgrading = false;
    const context: ScriptContext = {
      write: (data) => socket.write(data),
      startTls: (options = {}) => {
        socket.removeAllListeners('data');
        const { ocspResponse, sendChain, certificate, ...versions } = options;
        const identity = certificate ?? pki.server;
        // A tls.Server (never listening) handed the raw socket: the only way Node staples OCSP on a server.
        const tlsServer = createTlsServer({ key: identity.keyPem, cert: sendChain ? identity.certPem + pki.ca.certPem : identity.certPem, ...versions });
        tlsServer.on('tlsClientError', () => undefined);
        if (ocspResponse) tlsServer.on('OCSPRequest', (_cert, _issuer, done) => done(null, ocspResponse));
        tlsServer.on('secureConnection', (secure: TLSSocket) => {
          secure.on('error', () => undefined);
          socket = secure;
          upgrading = false;
          secure.on('data', onData);
          // The CVE-2011-0411 bug: what arrived with STARTTLS is now executed inside TLS.
          if (buffer) onData(Buffer.alloc(0));
        });
        upgrading = true;
        Object.assign(context, { secure: true });
        tlsServer.emit('connection', raw);
      },
      close: () => socket.destroy(),
      stopReading: () => {
        socket.removeAllListeners('data');
        socket.pause();
      },
      socket: () => socket,
      secure: false,
      received,
      inData: false,
    };
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      let newline = buffer.indexOf('\r\n');
      while (newline !== -1) {
        if (upgrading) {
          // RFC 3207: commands pipelined after STARTTLS must be discarded, unless this server is playing vulnerable.
          if (!context.keepBufferAcrossTls) buffer = '';
          return;
        }
        // A server that ended the session (a 421, QUIT) reads no further command: writing after the end would
        // destroy the socket before its last reply is flushed.
        if (socket.writableEnded || socket.destroyed) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        received.push(line);
        if (context.inData) {
          if (line === '.') {
            context.inData = false;
            const reply = script('.', context);
            if (reply !== undefined) socket.write([reply].flat().map((l) => `${l}\r\n`).join(''));
          }
        } else {
          const upper = line.toUpperCase();
          const reply = script(line, context);
          if (reply !== undefined) {
            socket.write([reply].flat().map((l) => `${l}\r\n`).join(''));
          }
          if (upper === 'QUIT') socket.end();
        }
        newline = buffer.indexOf('\r\n');
      }
    };
    socket.on('data', onData);
    if (greeting !== undefined) socket.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    sessions,
    closedCount: () => closed,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A well-behaved script: STARTTLS, AUTH PLAIN, REQUIRETLS after TLS; override single commands with `overrides`. */
export function politeScript(overrides: (line: string, context: ScriptContext) => string | string[] | undefined | 'default' = () => 'default'): Script {
  return (line, context) => {
    const custom = overrides(line, context);
    if (custom !== 'default') return custom;
    const upper = line.toUpperCase();
    if (line === '.') return '250 2.0.0 Ok: queued as SCRIPTED1';
    if (upper.startsWith('EHLO')) {
      return context.secure
        ? ['250-scripted.test', '250-PIPELINING', '250-8BITMIME', '250-SMTPUTF8', '250-AUTH PLAIN LOGIN', '250 REQUIRETLS']
        : ['250-scripted.test', '250-PIPELINING', '250 STARTTLS'];
    }
    if (upper === 'STARTTLS') {
      context.write('220 2.0.0 Ready to start TLS\r\n');
      context.startTls();
      return undefined;
    }
    if (upper.startsWith('AUTH')) return '235 2.7.0 Authentication successful';
    if (upper.startsWith('MAIL FROM') || upper.startsWith('RCPT TO')) return '250 2.1.0 Ok';
    if (upper === 'DATA') {
      context.inData = true;
      return '354 End data with <CR><LF>.<CR><LF>';
    }
    if (upper === 'QUIT') return '221 2.0.0 Bye';
    if (upper === 'RSET' || upper === 'NOOP') return '250 2.0.0 Ok';
    return '502 5.5.2 Command not recognized';
  };
}
