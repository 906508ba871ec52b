import * as net from 'node:net';
import * as tls from 'node:tls';
import type { SmtpReplyData } from '../../../shared/types/errors.js';
import type { RejectedRecipient, TlsFacts } from '../../../shared/types/report.js';
import type { AuthMethod } from '../../../shared/types/security.js';
import { HoplightError } from '../errors.js';
import { clientTlsOptions, describeTlsFailure, verifyPeer, type TrustSettings } from '../tls/peer-verification.js';
import type { TlsSessions } from '../tls/session-store.js';
import { HandshakeFailure, tlsHandshake } from '../tls/tls-handshake.js';
import { parseCapabilities, type Capabilities } from './capabilities.js';
import type { SmtpChannel } from './channel.js';
import { replyText } from './reply.js';

/** How long each step may take before the session fails with ETIMEDOUT. */
export interface Timeouts {
  readonly connectMs: number;
  readonly greetingMs: number;
  readonly tlsMs: number;
  readonly commandMs: number;
  /** The reply to the end of DATA may take long: the server may scan the message (RFC 5321 §4.5.3.2.6: 10 min). */
  readonly dataEndMs: number;
}

/** Defaults in the spirit of RFC 5321 §4.5.3.2, shortened where a person is waiting. */
export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 15_000,
  greetingMs: 30_000,
  tlsMs: 30_000,
  commandMs: 60_000,
  dataEndMs: 600_000,
};

/** Timeouts whose every step is cut to what is left before `deadlineAt` (performance.now() time). */
export function boundedTimeouts(base: Timeouts, deadlineAt: number): Timeouts {
  const left = (ms: number): number => Math.max(1, Math.min(ms, Math.round(deadlineAt - performance.now())));
  return {
    get connectMs() { return left(base.connectMs); },
    get greetingMs() { return left(base.greetingMs); },
    get tlsMs() { return left(base.tlsMs); },
    get commandMs() { return left(base.commandMs); },
    get dataEndMs() { return left(base.dataEndMs); },
  };
}

/** Opens the TCP connection. */
export function connectTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new HoplightError('ECANCELLED', 'Cancelled before connecting.'));
    const socket = net.connect({ host, port });
    const onAbort = (): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new HoplightError('ECANCELLED', 'Cancelled while connecting.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => signal?.removeEventListener('abort', onAbort));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HoplightError('ETIMEDOUT', `Could not connect to ${host}:${port} within ${Math.round(timeoutMs / 1000)} s.`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      // Commands and replies are small and each one is waited for: never let Nagle hold one back for an ACK.
      socket.setNoDelay(true);
      signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code === 'ECONNREFUSED' ? 'the connection was refused' : error.code === 'ENOTFOUND' ? 'the host name does not resolve' : error.message;
      reject(new HoplightError('ECONNECTION', `Could not connect to ${host}:${port}: ${why}.`, { cause: error }));
    });
  });
}

/** Runs the TLS handshake over a connected socket and verifies the peer before anything else is written. */
export async function handshake(
  socket: net.Socket,
  trust: TrustSettings,
  timeoutMs: number,
  transport: 'starttls' | 'implicit' = 'implicit',
  /** Where this server's TLS sessions are kept for resumption (verified again on every session all the same). */
  resumption?: { readonly sessions: TlsSessions; readonly key: string },
): Promise<{ socket: tls.TLSSocket; facts: TlsFacts }> {
  let secure: tls.TLSSocket;
  const kept = resumption?.sessions.get(resumption.key);
  try {
    secure = await tlsHandshake(socket, { ...clientTlsOptions(trust), ...(kept ? { session: kept.session } : {}) }, timeoutMs, undefined, resumption ? (s) => resumption.sessions.setSession(resumption.key, s) : undefined);
  } catch (error) {
    if (error instanceof HandshakeFailure) throw describeTlsFailure(error.tlsError, trust, error.presented, transport);
    throw error;
  }
  try {
    if (secure.isSessionReused()) {
      // No certificate is sent on a resumed handshake: the server proved it holds the ticket of a session that
      // was verified under exactly this trust (the key says so), and OpenSSL kept that verdict. Both must hold.
      // (A pinned session was verified against its pin, not a CA: OpenSSL's CA verdict does not apply to it.)
      if (!kept || (!secure.authorized && trust.pinnedFingerprint === undefined)) throw new HoplightError('ETLS', 'A resumed TLS session could not be matched with the verified session it continues. Nothing was sent.');
      const cipher = secure.getCipher();
      return { socket: secure, facts: { ...kept.verified, protocol: secure.getProtocol() ?? kept.verified.protocol, cipher: cipher.name, ...(cipher.standardName ? { cipherStandardName: cipher.standardName } : {}), resumed: true } };
    }
    const facts = verifyPeer(secure, trust);
    resumption?.sessions.setVerified(resumption.key, facts);
    return { socket: secure, facts };
  } catch (error) {
    // A session that did not verify is never offered again.
    resumption?.sessions.delete(resumption.key);
    secure.destroy();
    throw error;
  }
}

/** Reads the 220 greeting (RFC 5321 §4.3.1); a 554 greeting means "no service here". */
export async function readGreeting(channel: SmtpChannel, timeouts: Timeouts, where: string, implicitTls: boolean): Promise<SmtpReplyData> {
  let greeting: SmtpReplyData;
  try {
    greeting = await channel.readReply(timeouts.greetingMs, 'with its greeting');
  } catch (error) {
    // A silent server on a plain connection is most often an implicit-TLS port waiting for our TLS hello.
    if (error instanceof HoplightError && error.code === 'ETIMEDOUT' && !implicitTls && !channel.receivedAnything) {
      throw new HoplightError('ETIMEDOUT', error.message, { hint: 'If this is an implicit-TLS port (usually 465), choose implicit TLS.', hintId: 'implicit-tls-port' });
    }
    throw error;
  }
  if (greeting.code !== 220) {
    throw new HoplightError('ECONNECTION', `${where} refused the session: ${replyText(greeting)}`, { reply: greeting });
  }
  return greeting;
}

/** The EHLO argument: an address literal of our end (RFC 5321 §4.1.4), so no local host name leaks. */
export function ehloName(socket: net.Socket): string {
  const address = socket.localAddress ?? '127.0.0.1';
  return net.isIPv6(address) ? `[IPv6:${address}]` : `[${address}]`;
}

/** Reads the reply to an EHLO sent earlier (early pipelining); a refusal is returned, not thrown. */
export async function readEhlo(channel: SmtpChannel, timeouts: Timeouts): Promise<{ reply: SmtpReplyData; capabilities: Capabilities }> {
  const reply = await channel.readReply(timeouts.commandMs, 'EHLO');
  return { reply, capabilities: reply.code === 250 ? parseCapabilities(reply) : new Map() };
}

/** Sends EHLO and returns the reply; a refusal is returned, not thrown, so each caller can word it. */
export async function ehlo(channel: SmtpChannel, name: string, timeouts: Timeouts): Promise<{ reply: SmtpReplyData; capabilities: Capabilities }> {
  channel.send([{ wire: `EHLO ${name}` }]);
  const reply = await channel.readReply(timeouts.commandMs, 'EHLO');
  return { reply, capabilities: reply.code === 250 ? parseCapabilities(reply) : new Map() };
}

/**
 * RFC 3207 STARTTLS. Refuses to continue without it (no opportunistic fallback on hop 1). Bytes that arrive
 * after the 220 but before the handshake are an injection attempt (the CVE-2011-0411 class): abort.
 */
export async function startTls(
  channel: SmtpChannel,
  capabilities: Capabilities,
  trust: TrustSettings,
  timeouts: Timeouts,
  where: string,
  alreadySent = false,
  resumption?: { readonly sessions: TlsSessions; readonly key: string },
): Promise<TlsFacts> {
  if (!capabilities.has('STARTTLS')) {
    throw new HoplightError('ESTARTTLS', `${where} does not offer STARTTLS, so the connection cannot be encrypted. Nothing was sent.`, {
      hint: 'Check the port: submission with STARTTLS is usually 587, implicit TLS 465. Hoplight never sends a password or a message in cleartext.',
      hintId: 'implicit-tls-port',
    });
  }
  if (!alreadySent) channel.send([{ wire: 'STARTTLS' }]);
  const reply = await channel.readReply(timeouts.commandMs, 'STARTTLS');
  if (reply.code !== 220) {
    throw new HoplightError('ESTARTTLS', `${where} refused STARTTLS: ${replyText(reply)}. Nothing was sent.`, { reply });
  }
  if (channel.hasUnreadInput()) {
    channel.abort();
    throw new HoplightError('ETLS', `${where} sent data after agreeing to STARTTLS and before the TLS handshake; this is what a STARTTLS injection attack looks like. The connection was closed and nothing was sent.`);
  }
  const plain = channel.release();
  channel.note('TLS handshake started');
  const { socket, facts } = await handshake(plain, trust, timeouts.tlsMs, 'starttls', resumption);
  channel.adopt(socket);
  channel.note(`TLS established: ${facts.protocol}, ${facts.cipher}${facts.resumed ? ', session resumed (the certificate is the one verified when it began)' : ''}`);
  return facts;
}

/** What the enhanced status codes of RFC 4954 §6 and RFC 3463 mean after AUTH (class digit removed). */
const AUTH_STATUS: Readonly<Record<string, string>> = {
  '7.8': 'authentication credentials invalid',
  '7.0': 'authentication failed',
  '7.9': 'authentication mechanism too weak',
  '7.11': 'encryption required for this mechanism',
  '7.12': 'a password transition is needed',
  '7.13': 'user account disabled',
  '7.14': 'trust relationship required',
  '7.1': 'delivery not authorised',
};

/** Credentials, only ever held in memory for the length of one session. */
export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** Picks the SASL mechanism: the user's choice if offered, otherwise PLAIN before LOGIN. */
export function chooseMechanism(offered: readonly string[], method: AuthMethod): 'PLAIN' | 'LOGIN' | undefined {
  if (method !== 'auto') return offered.includes(method) ? method : undefined;
  if (offered.includes('PLAIN')) return 'PLAIN';
  if (offered.includes('LOGIN')) return 'LOGIN';
  return undefined;
}

/** RFC 4954 AUTH with PLAIN (RFC 4616) or LOGIN. Only ever called on a verified TLS session. Returns the mechanism. */
export async function authenticate(channel: SmtpChannel, capabilities: Capabilities, credentials: Credentials, method: AuthMethod, timeouts: Timeouts, where: string): Promise<string> {
  const offered = capabilities.get('AUTH') ?? [];
  if (offered.length === 0) {
    throw new HoplightError('EAUTH', `${where} does not offer authentication on this connection.`, {
      hint: 'If this server needs no login, leave the user name empty; otherwise check the port.',
    });
  }
  const mechanism = chooseMechanism(offered, method);
  if (!mechanism) {
    throw new HoplightError('EAUTH', `${where} offers AUTH ${offered.join(' ')}, but Hoplight supports ${method === 'auto' ? 'PLAIN and LOGIN' : method} only.`);
  }
  const token = guardCredentials(channel, credentials);
  channel.setAuthWindow(true);
  try {
    return await authExchange(channel, mechanism, credentials, token, timeouts, where);
  } finally {
    channel.setAuthWindow(false);
  }
}

/**
 * Redaction by construction: the password, every base64 form of the payload and any piece of one are redacted
 * from all later lines (the replies to AUTH themselves are recorded as code and status only). Returns the PLAIN token.
 */
function guardCredentials(channel: SmtpChannel, credentials: Credentials): string {
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  const token = b64(`\0${credentials.user}\0${credentials.password}`);
  channel.addSecret(credentials.password);
  for (const encoded of [token, b64(credentials.password), b64(credentials.user), b64(`${credentials.user}\0${credentials.password}`)]) channel.addEncodedSecret(encoded);
  return token;
}

/** Words for a refused AUTH reply. */
function authRefused(reply: SmtpReplyData, where: string, extra = ''): HoplightError {
  const temporary = reply.code >= 400 && reply.code < 500;
  const meaning = reply.enhancedStatus ? AUTH_STATUS[reply.enhancedStatus.slice(2)] : undefined;
  return new HoplightError('EAUTH', `${where} ${temporary ? 'could not authenticate right now' : 'rejected the user name or password'}: ${reply.code}${reply.enhancedStatus ? ` ${reply.enhancedStatus}` : ''}${meaning ? ` (${meaning})` : ''}. The server's words are not shown: replies to AUTH are never recorded, since a server may echo credentials.${extra}`, {
    reply,
    hint: temporary ? 'Try again later.' : 'Check the user name and password for this account.',
  });
}

/**
 * Whether AUTH may go in one flight with the envelope: RFC 4954 §4 allows it after PIPELINING for a mechanism
 * that completes in one round trip with an initial response and no security layer, which PLAIN is.
 */
export function canPipelineAuth(capabilities: Capabilities, method: AuthMethod): boolean {
  return capabilities.has('PIPELINING') && chooseMechanism(capabilities.get('AUTH') ?? [], method) === 'PLAIN';
}

/**
 * `AUTH PLAIN <initial response>`, MAIL FROM, RCPT TO… and DATA (not with BDAT) in one write (RFC 4954 §4, RFC 2920 §3.1: DATA
 * last). The reply to AUTH is read first. When it is not 235, no content is ever sent: the envelope's replies
 * (refusals: a server starts no transaction for an unauthenticated client) are read and dropped, a 354 is met by
 * tearing the connection down, and the error is EAUTH. `onAuthenticated` is called once the login succeeded.
 */
export async function authenticateWithEnvelope(
  channel: SmtpChannel,
  credentials: Credentials,
  envelope: Envelope,
  timeouts: Timeouts,
  where: string,
  onAuthenticated: () => void,
  /** Reads replies owed before these (an early EHLO's), once the group is written. */
  before?: () => Promise<void>,
): Promise<EnvelopeOutcome> {
  const token = guardCredentials(channel, credentials);
  const { mail, rcpts } = envelopeCommands(envelope);
  channel.send([{ wire: `AUTH PLAIN ${token}`, shown: 'AUTH PLAIN <redacted>', secretReply: true }, mail, ...rcpts, ...dataCommand(envelope)]);
  await before?.();
  const authReply = await channel.readReply(timeouts.commandMs, 'AUTH');
  if (authReply.code !== 235) {
    let dataReply: SmtpReplyData | undefined;
    try {
      for (let i = 0; i < 1 + envelope.recipients.length; i++) await channel.readReply(timeouts.commandMs, 'the commands sent with AUTH');
      if (!envelope.chunking) dataReply = await channel.readReply(timeouts.commandMs, 'DATA');
    } catch {
      // the server may close after a failed login: nothing more to read, nothing was delivered
    }
    if (dataReply?.code === 354) channel.abort(); // never answer a transaction started without a login
    throw authRefused(authReply, where, ' The sender and recipient addresses had gone with the login in one flight, as RFC 4954 allows; no content was sent and nothing was delivered.');
  }
  onAuthenticated();
  return readEnvelopeReplies(channel, envelope, timeouts);
}

async function authExchange(channel: SmtpChannel, mechanism: 'PLAIN' | 'LOGIN', credentials: Credentials, token: string, timeouts: Timeouts, where: string): Promise<string> {
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  let reply: SmtpReplyData;
  if (mechanism === 'PLAIN') {
    channel.send([{ wire: `AUTH PLAIN ${token}`, shown: 'AUTH PLAIN <redacted>' }]);
    reply = await channel.readReply(timeouts.commandMs, 'AUTH');
    if (reply.code === 334) {
      channel.send([{ wire: token, shown: '<redacted>' }]);
      reply = await channel.readReply(timeouts.commandMs, 'AUTH');
    }
  } else {
    channel.send([{ wire: 'AUTH LOGIN' }]);
    reply = await channel.readReply(timeouts.commandMs, 'AUTH');
    if (reply.code === 334) {
      channel.send([{ wire: b64(credentials.user), shown: '<user name, redacted>' }]);
      reply = await channel.readReply(timeouts.commandMs, 'AUTH');
    }
    if (reply.code === 334) {
      channel.send([{ wire: b64(credentials.password), shown: '<redacted>' }]);
      reply = await channel.readReply(timeouts.commandMs, 'AUTH');
    }
  }
  if (reply.code !== 235) throw authRefused(reply, where);
  return mechanism;
}

/** The SMTP envelope of one transaction. */
export interface Envelope {
  readonly from: string;
  readonly mailParameters: readonly string[];
  readonly recipients: readonly string[];
  /** The content goes by BDAT (RFC 3030) after the envelope's replies: no DATA command in the group. */
  readonly chunking?: boolean;
}

function dataCommand(envelope: Envelope): { wire: string }[] {
  return envelope.chunking ? [] : [{ wire: 'DATA' }];
}

/** What the server said to MAIL, each RCPT and DATA. */
export interface EnvelopeOutcome {
  readonly mailReply: SmtpReplyData;
  readonly accepted: readonly string[];
  readonly rejected: readonly RejectedRecipient[];
  /** Undefined when DATA was not sent (a refusal before it, or BDAT). */
  readonly dataReply?: SmtpReplyData;
}

/**
 * MAIL FROM, RCPT TO… and DATA (no DATA when the content goes by BDAT). With PIPELINING (RFC 2920 §3.1) they go
 * in one write and the replies are read in order; DATA is the last command of the group. Without it, one by one,
 * stopping at the first refusal. `before` runs once the group is written, before any reply is read.
 */
export async function sendEnvelope(channel: SmtpChannel, envelope: Envelope, pipelining: boolean, timeouts: Timeouts, before?: () => Promise<void>): Promise<EnvelopeOutcome> {
  const { mail, rcpts } = envelopeCommands(envelope);
  const accepted: string[] = [];
  const rejected: RejectedRecipient[] = [];
  if (pipelining || before) {
    channel.send([mail, ...rcpts, ...dataCommand(envelope)]);
    await before?.();
    return readEnvelopeReplies(channel, envelope, timeouts);
  }
  channel.send([mail]);
  const mailReply = await channel.readReply(timeouts.commandMs, 'MAIL FROM');
  if (mailReply.code !== 250) return { mailReply, accepted, rejected };
  for (const [index, recipient] of envelope.recipients.entries()) {
    const command = rcpts[index];
    if (!command) continue;
    channel.send([command]);
    const reply = await channel.readReply(timeouts.commandMs, 'RCPT TO');
    if (reply.code === 250 || reply.code === 251) accepted.push(recipient);
    else rejected.push({ address: recipient, reply });
  }
  if (rejected.length > 0 || envelope.chunking) return { mailReply, accepted, rejected };
  channel.send([{ wire: 'DATA' }]);
  const dataReply = await channel.readReply(timeouts.commandMs, 'DATA');
  return { mailReply, accepted, rejected, dataReply };
}

function envelopeCommands(envelope: Envelope): { mail: { wire: string }; rcpts: { wire: string }[] } {
  return { mail: { wire: ['MAIL FROM:<' + envelope.from + '>', ...envelope.mailParameters].join(' ') }, rcpts: envelope.recipients.map((r) => ({ wire: `RCPT TO:<${r}>` })) };
}

/** The replies to a pipelined MAIL, RCPT… and DATA, in order. */
async function readEnvelopeReplies(channel: SmtpChannel, envelope: Envelope, timeouts: Timeouts): Promise<EnvelopeOutcome> {
  const accepted: string[] = [];
  const rejected: RejectedRecipient[] = [];
  const mailReply = await channel.readReply(timeouts.commandMs, 'MAIL FROM');
  // RFC 5321 §3.8: a 421 closes the session; no other reply will come, and its words are the answer.
  if (mailReply.code === 421) return { mailReply, accepted, rejected };
  for (const recipient of envelope.recipients) {
    const reply = await channel.readReply(timeouts.commandMs, 'RCPT TO');
    if (reply.code === 421) return { mailReply: reply, accepted, rejected };
    if (reply.code === 250 || reply.code === 251) accepted.push(recipient);
    else rejected.push({ address: recipient, reply });
  }
  if (envelope.chunking) return { mailReply, accepted, rejected };
  const dataReply = await channel.readReply(timeouts.commandMs, 'DATA');
  return { mailReply, accepted, rejected, dataReply };
}

/**
 * Says goodbye without waiting for the reply (after acceptance, waiting only costs a round trip). Also used when
 * Hoplight refuses to go on (RFC 3207 §6: QUIT when the protection is not good enough). A broken session is torn down.
 */
export function quit(channel: SmtpChannel): void {
  if (!channel.usable) {
    channel.abort();
    return;
  }
  channel.send([{ wire: 'QUIT' }]);
  channel.close();
}
