import { isIP, type Socket } from 'node:net';
import * as tls from 'node:tls';
import type { SmtpReplyData } from '../../../shared/types/errors.js';
import type { TlsVersionName } from '../../../shared/types/posture.js';
import { HoplightError } from '../errors.js';
import { SmtpChannel } from '../smtp/channel.js';
import { replyText } from '../smtp/reply.js';
import { connectTcp, ehlo, ehloName, readGreeting, type Timeouts } from '../smtp/session-steps.js';
import { secureContextFor, viewOf, type HandshakeView } from '../tls/peer-verification.js';
import { HandshakeFailure, tlsHandshake } from '../tls/tls-handshake.js';
import { presentedChain } from './certificate-check.js';
import { matchTlsa, type TlsaRecord } from './dane.js';

/** What one probe connection should do. */
export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'implicit';
  readonly checkedName: string;
  readonly extraCaPem?: string;
  readonly timeouts: Timeouts;
  /** Limit the handshake to this version (and lower OpenSSL's security level for TLS 1.0/1.1, for this probe only). */
  readonly tlsVersion?: TlsVersionName;
  /** Send "STARTTLS\r\nNOOP\r\n" in one write and watch for a NOOP answer inside TLS (CVE-2011-0411 class). */
  readonly injectNoop?: boolean;
  /** Ask for an OCSP staple (RFC 6066 status_request). */
  readonly requestOcsp?: boolean;
  /** Stop after the handshake (version probes); otherwise send EHLO over TLS too. */
  readonly stopAfterHandshake?: boolean;
  /**
   * DNSSEC-validated, usable TLSA records for this host (RFC 7672). A certificate they authenticate is trusted as
   * a DANE-aware relay trusts it, even when no CA vouches for it; without a match the PKIX verdict stands.
   */
  readonly daneRecords?: readonly TlsaRecord[];
  /**
   * Before TLS, if AUTH is advertised, ask whether the server would take credentials in cleartext without ever
   * sending any: `AUTH <mechanism>` with no initial response; a 334 challenge is cancelled with "*" (RFC 4954 §4).
   * The probe stops there (no STARTTLS).
   */
  readonly probeCleartextAuth?: boolean;
  /** Aborts the probe: its socket is destroyed at once and it ends with ECANCELLED. */
  readonly signal?: AbortSignal;
}

/** What one probe connection saw; `error` and `stage` say where it stopped when it stopped early. */
export interface ProbeOutcome {
  remoteAddress?: string;
  greeting?: SmtpReplyData;
  ehloBeforeTls?: SmtpReplyData;
  starttls?: { offered: boolean; accepted: boolean; reply?: SmtpReplyData };
  handshake?: HandshakeView & { authorized: boolean; daneAuthenticated?: boolean };
  ocspResponse?: Buffer | null;
  ehloAfterTls?: SmtpReplyData;
  injection?: { vulnerable: boolean; detail: string };
  /** What the server answered to AUTH before TLS (probeCleartextAuth), advertised or not. */
  cleartextAuth?: { accepted: boolean; mechanism: string; reply: string; advertised: boolean };
  stage: 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'tls' | 'ehlo-tls' | 'done';
  error?: HoplightError;
}

/**
 * TLS options of a probe, and the verdict on the handshake they allow. Verification stays on, as for a send: a
 * probe never continues a session over a certificate it does not trust. What the server presented is still read
 * (see observeHandshake), so a refused certificate is described, and the facts only a trusted session could give
 * are reported as not checked.
 */
function probeTls(options: ProbeOptions): { connect: tls.ConnectionOptions; trusted: (secure: tls.TLSSocket, view: HandshakeView) => { authorized: boolean; daneAuthenticated: boolean } } {
  const version = options.tlsVersion;
  const old = version === 'TLSv1' || version === 'TLSv1.1';
  const versions = version ? { minVersion: version, maxVersion: version } : { minVersion: 'TLSv1' as const };
  // OpenSSL 3 refuses TLS 1.0/1.1 (and their SHA-1 signatures) at its default security level.
  const ciphers = old || !version ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {};
  const connect: tls.ConnectionOptions = {
    // With an extra CA, one context per CA and version set, reused across probes and checks.
    ...(options.extraCaPem ? { secureContext: secureContextFor({ ca: options.extraCaPem, ...versions, ...ciphers }) } : { ...versions, ...ciphers }),
    ...(isIP(options.checkedName) ? {} : { servername: options.checkedName }),
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(options.checkedName, cert),
    ...(options.requestOcsp ? { requestOCSP: true } : {}),
    // With DNSSEC-validated TLSA records the verdict is ours, `trusted` just below, taken before any SMTP byte goes
    // over TLS: PKIX-valid, or authenticated by a TLSA record, or the probe stops exactly as for a refused one.
    ...(options.daneRecords?.length ? { rejectUnauthorized: false } : {}),
  };
  const trusted = (secure: tls.TLSSocket, view: HandshakeView): { authorized: boolean; daneAuthenticated: boolean } => {
    const daneAuthenticated = options.daneRecords?.length ? daneAuthenticates(view, options.daneRecords, options.checkedName) : false;
    return { authorized: secure.authorized || daneAuthenticated, daneAuthenticated };
  };
  return { connect, trusted };
}

/** Whether validated TLSA records authenticate the presented chain (DANE-TA also needs the name, RFC 7672 §3.2.2). */
function daneAuthenticates(view: HandshakeView, records: readonly TlsaRecord[], checkedName: string): boolean {
  const chain = presentedChain(view);
  const nameOk = tls.checkServerIdentity(checkedName, view.peer) === undefined;
  return matchTlsa(records, chain).some((m) => m.matched && m.usable && (m.record.usage === 3 || nameOk));
}

async function observeHandshake(socket: Socket, options: ProbeOptions, outcome: ProbeOutcome): Promise<tls.TLSSocket> {
  outcome.ocspResponse = options.requestOcsp ? null : undefined;
  try {
    const settings = probeTls(options);
    const secure = await tlsHandshake(socket, settings.connect, options.timeouts.tlsMs, (response) => {
      outcome.ocspResponse = response;
    });
    const authorizationError = secure.authorizationError ? String(secure.authorizationError) : undefined;
    const view = viewOf(secure, authorizationError);
    const { authorized, daneAuthenticated } = settings.trusted(secure, view);
    outcome.handshake = { ...view, authorized, ...(daneAuthenticated ? { daneAuthenticated } : {}) };
    if (!outcome.handshake.authorized) {
      secure.destroy();
      throw new HoplightError('ETLS', `The certificate is not trusted (${authorizationError ?? 'no CA and no TLSA record vouches for it'}); the probe stops here, as a send would.`);
    }
    return secure;
  } catch (error) {
    if (!(error instanceof HandshakeFailure)) throw error;
    const code = error.tlsError.code;
    if (error.presented) {
      // The handshake itself completed; the certificate was refused. Record what was seen, and why.
      outcome.handshake = { ...error.presented, ...(code ? { authorizationError: code } : {}), authorized: false };
      throw new HoplightError('ETLS', `The certificate is not trusted (${code ?? error.message}); the probe stops here, as a send would.`, { cause: error.tlsError });
    }
    // Only the server's TLS answer (an alert, another version) says something about its TLS; a reset or a
    // closed socket says nothing, and is reported as such.
    if (isTlsRefusal(code)) throw new HoplightError('ETLS', `TLS handshake refused by the server: ${code}`, { cause: error.tlsError });
    throw new HoplightError('ECONNECTION', `The connection was lost during the TLS handshake (${code ?? error.message}); the server's TLS could not be checked`, { cause: error.tlsError });
  }
}

/** True for the errors that carry the server's own TLS answer: an alert, or a version it chose that we did not offer. */
export function isTlsRefusal(code: string | undefined): boolean {
  return code !== undefined && code.startsWith('ERR_SSL_') && !CLIENT_SIDE_TLS_ERRORS.includes(code);
}

/** Errors raised by this machine's OpenSSL before the server had its say: nothing was learned about the server. */
export const CLIENT_SIDE_TLS_ERRORS: readonly string[] = ['ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_NO_CIPHERS_AVAILABLE', 'ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM', 'ERR_SSL_UNSUPPORTED_PROTOCOL'];

/** Runs one probe connection and returns what it saw (never throws). */
export async function probe(options: ProbeOptions): Promise<ProbeOutcome> {
  const outcome: ProbeOutcome = { stage: 'connect' };
  const where = `${options.host}:${options.port}`;
  let channel: SmtpChannel | undefined;
  // The socket in use (the raw one during a handshake), destroyed on cancel.
  let live: Socket | undefined;
  const cancelled = (): HoplightError => new HoplightError('ECANCELLED', 'The check was cancelled.');
  const onAbort = (): void => {
    channel?.failWith(cancelled());
    live?.destroy();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const socket = await connectTcp(options.host, options.port, options.timeouts.connectMs, options.signal);
    live = socket;
    outcome.remoteAddress = socket.remoteAddress;
    channel = new SmtpChannel(socket, performance.now());
    const name = ehloName(socket);
    if (options.security === 'implicit') {
      outcome.stage = 'tls';
      live = await observeHandshake(channel.release(), options, outcome);
      channel.adopt(live);
      outcome.stage = 'greeting';
      outcome.greeting = await readGreeting(channel, options.timeouts, where, true);
    } else {
      outcome.stage = 'greeting';
      outcome.greeting = await readGreeting(channel, options.timeouts, where, false);
      outcome.stage = 'ehlo';
      const before = await ehlo(channel, name, options.timeouts);
      outcome.ehloBeforeTls = before.reply;
      if (before.reply.code !== 250) throw new HoplightError('ECONNECTION', `EHLO refused: ${replyText(before.reply)}`, { reply: before.reply });
      if (options.probeCleartextAuth) {
        const mechanisms = before.capabilities.get('AUTH') ?? [];
        // LOGIN and PLAIN without an initial response both begin with a server challenge: no secret is needed to
        // learn. Asked even when AUTH is not advertised before TLS: an attacker who strips STARTTLS can add it to
        // the EHLO, and a server that then takes a password is the real danger.
        const mechanism = ['LOGIN', 'PLAIN'].find((m) => mechanisms.includes(m)) ?? mechanisms[0] ?? 'LOGIN';
        {
          channel.setAuthWindow(true);
          channel.send([{ wire: `AUTH ${mechanism}` }]);
          const reply = await channel.readReply(options.timeouts.commandMs, 'AUTH');
          if (reply.code === 334) {
            channel.send([{ wire: '*' }]); // RFC 4954 §4: the client cancels the exchange
            await channel.readReply(options.timeouts.commandMs, 'the cancelled AUTH').catch(() => undefined);
          }
          channel.setAuthWindow(false);
          // A challenge (334), or any positive answer, means it would go on in cleartext; only 4xx/5xx refuse.
          outcome.cleartextAuth = { accepted: reply.code < 400, mechanism, reply: `${reply.code}${reply.enhancedStatus ? ` ${reply.enhancedStatus}` : ''}`, advertised: mechanisms.length > 0 };
        }
        outcome.stage = 'done';
        return outcome;
      }
      outcome.stage = 'starttls';
      const offered = before.capabilities.has('STARTTLS');
      outcome.starttls = { offered, accepted: false };
      if (!offered) throw new HoplightError('ESTARTTLS', 'The server does not offer STARTTLS.');
      // RFC 3207 §4: STARTTLS must end a pipelined group. The injection probe breaks that rule on purpose.
      channel.send(options.injectNoop ? [{ wire: 'STARTTLS' }, { wire: 'NOOP' }] : [{ wire: 'STARTTLS' }]);
      const reply = await channel.readReply(options.timeouts.commandMs, 'STARTTLS');
      outcome.starttls = { offered, accepted: reply.code === 220, reply };
      if (reply.code !== 220) throw new HoplightError('ESTARTTLS', `STARTTLS refused: ${replyText(reply)}`, { reply });
      if (channel.hasUnreadInput()) {
        outcome.injection = { vulnerable: false, detail: 'The server answered the pipelined NOOP in cleartext before TLS instead of discarding it.' };
        throw new HoplightError('ETLS', 'The server sent data after its STARTTLS reply, before TLS.');
      }
      outcome.stage = 'tls';
      live = await observeHandshake(channel.release(), options, outcome);
      channel.adopt(live);
    }
    if (options.injectNoop) {
      // Decided by the server's own replies, with no fixed wait: EHLO goes over TLS, and its reply is
      // unmistakable (it opens as the EHLO before TLS did, and lists extensions). A safe server answers only that;
      // a vulnerable one kept "NOOP" from the cleartext buffer and answers it first, inside TLS, unasked.
      channel.send([{ wire: `EHLO ${name}` }]);
      const first = await channel.readReply(options.timeouts.commandMs, 'EHLO');
      const isEhlo = (reply: SmtpReplyData): boolean => reply.code === 250 && (reply.lines.length > 1 || reply.lines[0] === outcome.ehloBeforeTls?.lines[0]);
      if (isEhlo(first)) {
        outcome.injection = { vulnerable: false, detail: 'The NOOP sent in the same packet as STARTTLS was discarded, as RFC 3207 requires: over TLS the server answered only the EHLO.' };
      } else {
        const second = await channel.readReply(options.timeouts.commandMs, 'EHLO');
        if (!isEhlo(second)) throw new HoplightError('ECONNECTION', `The server's replies over TLS could not be told apart (${replyText(first)}; ${replyText(second)}), so the injection could not be checked.`);
        outcome.injection = { vulnerable: true, detail: `After the handshake the server answered the NOOP sent before TLS (${replyText(first)}) before the EHLO sent over TLS.` };
      }
      outcome.stage = 'done';
      return outcome;
    }
    if (!options.stopAfterHandshake) {
      outcome.stage = 'ehlo-tls';
      const after = await ehlo(channel, name, options.timeouts);
      outcome.ehloAfterTls = after.reply;
    }
    outcome.stage = 'done';
    return outcome;
  } catch (error) {
    outcome.error = options.signal?.aborted ? cancelled() : error instanceof HoplightError ? error : new HoplightError('EINTERNAL', String(error));
    return outcome;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (channel?.usable) {
      channel.send([{ wire: 'QUIT' }]);
      channel.close();
    } else channel?.abort();
  }
}
