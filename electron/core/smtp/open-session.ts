import type { SmtpReplyData } from '../../../shared/types/errors.js';
import type { SubmissionServer } from '../../../shared/types/message.js';
import type { TlsFacts } from '../../../shared/types/report.js';
import { HoplightError } from '../errors.js';
import type { TrustSettings } from '../tls/peer-verification.js';
import { capabilityLines, type Capabilities } from './capabilities.js';
import { SmtpChannel } from './channel.js';
import { replyText } from './reply.js';
import { sessionKey, type TlsSessions } from '../tls/session-store.js';
import { advertisesPipeconnect, capabilitiesOf, type EhloCache, type EhloCacheKey } from './ehlo-cache.js';
import { connectTcp, ehlo, ehloName, handshake, readEhlo, readGreeting, startTls, type Timeouts } from './session-steps.js';

/**
 * What the opening of a session established, filled in step by step: after a failure, what was learned before it
 * (the greeting, the EHLO before TLS, the channel and its transcript) is still there for the report.
 */
export interface SessionFacts {
  channel?: SmtpChannel;
  remoteAddress?: string;
  greeting?: SmtpReplyData;
  tls?: TlsFacts;
  capabilitiesBeforeTls?: string[];
  capabilitiesAfterTls?: string[];
  capabilities?: Capabilities;
  clientName?: string;
  timings: { connectMs?: number; greetingMs?: number; tlsMs?: number };
  /** Early pipelining was used before TLS (EHLO and STARTTLS sent before the banner). */
  earlyBeforeTls?: boolean;
}

/** How to open: the secrets to redact from the start, progress, cancellation and when the session began. */
export interface OpenOptions {
  readonly secrets?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onTls?: () => void;
  readonly startedAt?: number;
  /**
   * Early pipelining from cached EHLO responses, only where they advertised PIPECONNECT: before TLS, EHLO and
   * STARTTLS are sent before the banner; after TLS (when the certificate is the one the cache was bound to and
   * `afterTls` agrees), EHLO is written and left unread, for the caller to pipeline its login and envelope behind it.
   */
  readonly early?: { readonly cache: EhloCache; readonly user?: string; readonly afterTls: (cached: Capabilities) => boolean };
  /** A line for the start of the transcript (why this session was opened). */
  readonly prelude?: string;
  /** TLS sessions to resume (in memory; every resumed session is verified as a full one is). */
  readonly tlsSessions?: TlsSessions;
}

/** An early EHLO after TLS, written and not yet read: what the cache said it would answer. */
export interface PendingEhlo {
  readonly cached: Capabilities;
  readonly key: EhloCacheKey;
  /** Implicit TLS: the server's greeting is the first reply still to read. */
  readonly greetingPending: boolean;
}

/**
 * The one way a session to a submission server is opened, for sends and account tests alike: TCP, then implicit
 * TLS and the greeting inside it (RFC 8314), or the greeting, EHLO, STARTTLS and the handshake (RFC 3207, never a
 * fallback to cleartext); the certificate verified before any other byte; EHLO again over TLS (RFC 3207 §4.2).
 * `facts` is filled as each step completes.
 */
export async function openVerifiedSession(
  server: SubmissionServer,
  trust: TrustSettings,
  timeouts: Timeouts,
  facts: SessionFacts,
  options: OpenOptions = {},
): Promise<Required<Pick<SessionFacts, 'channel' | 'capabilities' | 'clientName'>> & SessionFacts & { pendingEhlo?: PendingEhlo }> {
  const where = `${server.host}:${server.port}`;
  const lap = (since: number): number => Math.round(performance.now() - since);
  let mark = performance.now();
  const socket = await connectTcp(server.host, server.port, timeouts.connectMs, options.signal);
  facts.timings.connectMs = lap(mark);
  facts.remoteAddress = socket.remoteAddress;
  const channel = new SmtpChannel(socket, options.startedAt ?? performance.now(), options.secrets ?? []);
  facts.channel = channel;
  if (options.prelude) channel.note(options.prelude);
  channel.note(`connected to ${socket.remoteAddress ?? server.host}:${server.port}`);
  const clientName = ehloName(socket);
  facts.clientName = clientName;
  const key: EhloCacheKey = { host: server.host, port: server.port, security: server.security, clientName, ...(options.early?.user !== undefined ? { user: options.early.user } : {}) };
  const cached = options.early?.cache.get(key);
  const resumption = options.tlsSessions ? { sessions: options.tlsSessions, key: sessionKey(server.host, server.port, trust) } : undefined;
  if (options.signal?.aborted) throw new HoplightError('ECANCELLED', 'Cancelled before the session began.');
  if (server.security === 'implicit') {
    options.onTls?.();
    mark = performance.now();
    channel.note('TLS handshake started (implicit TLS)');
    const secure = await handshake(channel.release(), trust, timeouts.tlsMs, 'implicit', resumption);
    channel.adopt(secure.socket);
    facts.tls = secure.facts;
    facts.timings.tlsMs = lap(mark);
    channel.note(`TLS established: ${secure.facts.protocol}, ${secure.facts.cipher}${secure.facts.resumed ? ', session resumed (the certificate is the one verified when it began)' : ''}`);
    // The greeting is read below, after an early EHLO when there is one.
  } else {
    mark = performance.now();
    // Early pipelining (only where the cached EHLO advertised it): EHLO and STARTTLS go before the banner.
    const early = cached !== undefined && advertisesPipeconnect(cached.beforeTls);
    if (early) {
      channel.note('early pipelining: EHLO and STARTTLS sent before the banner (the cached EHLO advertised PIPECONNECT)');
      channel.send([{ wire: `EHLO ${clientName}` }, { wire: 'STARTTLS' }]);
      facts.earlyBeforeTls = true;
    }
    facts.greeting = await readGreeting(channel, timeouts, where, false);
    facts.timings.greetingMs = lap(mark);
    const before = early ? await readEhlo(channel, timeouts) : await ehlo(channel, clientName, timeouts);
    if (before.reply.code !== 250) {
      throw new HoplightError('ESTARTTLS', `${where} refused EHLO (${replyText(before.reply)}), so STARTTLS cannot be negotiated. Nothing was sent.`, { reply: before.reply });
    }
    facts.capabilitiesBeforeTls = capabilityLines(before.reply);
    options.onTls?.();
    mark = performance.now();
    facts.tls = await startTls(channel, before.capabilities, trust, timeouts, where, early, resumption);
    facts.timings.tlsMs = lap(mark);
  }
  // After TLS: early only with the very certificate the cache was bound to, and where its EHLO advertised it.
  if (cached && facts.tls && cached.fingerprintSha256 === facts.tls.certificate.fingerprintSha256 && advertisesPipeconnect(cached.afterTls)) {
    const cachedCaps = capabilitiesOf(cached.afterTls);
    if (options.early?.afterTls(cachedCaps)) {
      channel.note('early pipelining: EHLO sent without waiting, the login and envelope follow in the same flight (cached EHLO, same certificate)');
      channel.send([{ wire: `EHLO ${clientName}` }]);
      facts.capabilities = cachedCaps;
      // With implicit TLS the banner itself is still unread: it comes first among the replies.
      return { ...facts, channel, capabilities: cachedCaps, clientName, pendingEhlo: { cached: cachedCaps, key, greetingPending: !facts.greeting } };
    }
  }
  if (server.security === 'implicit' && !facts.greeting) {
    mark = performance.now();
    facts.greeting = await readGreeting(channel, timeouts, where, true);
    facts.timings.greetingMs = lap(mark);
  }
  const after = await ehlo(channel, clientName, timeouts);
  if (after.reply.code !== 250) throw new HoplightError('ECONNECTION', `${where} refused EHLO over TLS: ${replyText(after.reply)}`, { reply: after.reply });
  facts.capabilitiesAfterTls = capabilityLines(after.reply);
  facts.capabilities = after.capabilities;
  if (facts.tls) options.early?.cache.put(key, { ...(facts.capabilitiesBeforeTls ? { beforeTls: facts.capabilitiesBeforeTls } : {}), afterTls: facts.capabilitiesAfterTls, fingerprintSha256: facts.tls.certificate.fingerprintSha256 });
  return { ...facts, channel, capabilities: after.capabilities, clientName };
}
