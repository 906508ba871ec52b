import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { HoplightError } from '../errors.js';
import { viewOf, type HandshakeView } from './peer-verification.js';

/** Why a handshake did not give a usable session, with what the server presented when it got that far. */
export class HandshakeFailure extends Error {
  constructor(
    readonly tlsError: Error & { code?: string },
    /** Set when the handshake completed and the certificate was refused. */
    readonly presented?: HandshakeView,
  ) {
    super(tlsError.message);
  }
}

/**
 * Runs a TLS handshake over a connected socket with Node's verification as configured in `options`. Node verifies
 * on its internal 'secure' event and tears the socket down on failure; looking first keeps what the server
 * presented, so a refused certificate can be described. Nothing is trusted because it was looked at.
 * Rejects with ETIMEDOUT, or with a HandshakeFailure.
 */
export function tlsHandshake(socket: Socket, options: tls.ConnectionOptions, timeoutMs: number, onOcspResponse?: (response: Buffer) => void, onSession?: (session: Buffer) => void): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ ...options, socket });
    if (onOcspResponse) secure.on('OCSPResponse', onOcspResponse);
    // TLS 1.3 tickets arrive after the handshake: every one is kept (the last replaces the others).
    if (onSession) secure.on('session', onSession);
    let presented: HandshakeView | undefined;
    secure.prependOnceListener('secure', () => {
      presented = viewOf(secure);
    });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new HoplightError('ETIMEDOUT', `The TLS handshake did not finish within ${Math.round(timeoutMs / 1000)} s.`));
    }, timeoutMs);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.removeAllListeners('error');
      resolve(secure);
    });
    secure.once('error', (error: Error & { code?: string }) => {
      clearTimeout(timer);
      secure.destroy();
      reject(new HandshakeFailure(error, presented?.peer?.raw ? presented : undefined));
    });
  });
}
