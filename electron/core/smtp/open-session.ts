import type { SmtpReplyData } from '../../../shared/types/errors.js';
import type { SubmissionServer } from '../../../shared/types/message.js';
import type { TlsFacts } from '../../../shared/types/report.js';
import { HoplightError } from '../errors.js';
import type { TrustSettings } from '../tls/peer-verification.js';
import { capabilityLines, type Capabilities } from './capabilities.js';
import { SmtpChannel } from './channel.js';
import { replyText } from './reply.js';
import { connectTcp, ehlo, ehloName, handshake, readGreeting, startTls, type Timeouts } from './session-steps.js';

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
}

/** How to open: the secrets to redact from the start, progress, cancellation and when the session began. */
export interface OpenOptions {
  readonly secrets?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onTls?: () => void;
  readonly startedAt?: number;
}

/**
 * The one way a session to a submission server is opened, for sends and account tests alike: TCP, then implicit
 * TLS and the greeting inside it (RFC 8314), or the greeting, EHLO, STARTTLS and the handshake (RFC 3207, never a
 * fallback to cleartext); the certificate verified before any other byte; EHLO again over TLS (RFC 3207 §4.2).
 * `facts` is filled as each step completes.
 */
export async function openVerifiedSession(server: SubmissionServer, trust: TrustSettings, timeouts: Timeouts, facts: SessionFacts, options: OpenOptions = {}): Promise<Required<Pick<SessionFacts, 'channel' | 'capabilities' | 'clientName'>> & SessionFacts> {
  const where = `${server.host}:${server.port}`;
  const lap = (since: number): number => Math.round(performance.now() - since);
  let mark = performance.now();
  const socket = await connectTcp(server.host, server.port, timeouts.connectMs, options.signal);
  facts.timings.connectMs = lap(mark);
  facts.remoteAddress = socket.remoteAddress;
  const channel = new SmtpChannel(socket, options.startedAt ?? performance.now(), options.secrets ?? []);
  facts.channel = channel;
  channel.note(`connected to ${socket.remoteAddress ?? server.host}:${server.port}`);
  const clientName = ehloName(socket);
  facts.clientName = clientName;
  if (options.signal?.aborted) throw new HoplightError('ECANCELLED', 'Cancelled before the session began.');
  if (server.security === 'implicit') {
    options.onTls?.();
    mark = performance.now();
    channel.note('TLS handshake started (implicit TLS)');
    const secure = await handshake(channel.release(), trust, timeouts.tlsMs);
    channel.adopt(secure.socket);
    facts.tls = secure.facts;
    facts.timings.tlsMs = lap(mark);
    channel.note(`TLS established: ${secure.facts.protocol}, ${secure.facts.cipher}`);
    mark = performance.now();
    facts.greeting = await readGreeting(channel, timeouts, where, true);
    facts.timings.greetingMs = lap(mark);
  } else {
    mark = performance.now();
    facts.greeting = await readGreeting(channel, timeouts, where, false);
    facts.timings.greetingMs = lap(mark);
    const before = await ehlo(channel, clientName, timeouts);
    if (before.reply.code !== 250) {
      throw new HoplightError('ESTARTTLS', `${where} refused EHLO (${replyText(before.reply)}), so STARTTLS cannot be negotiated. Nothing was sent.`, { reply: before.reply });
    }
    facts.capabilitiesBeforeTls = capabilityLines(before.reply);
    options.onTls?.();
    mark = performance.now();
    facts.tls = await startTls(channel, before.capabilities, trust, timeouts, where);
    facts.timings.tlsMs = lap(mark);
  }
  const after = await ehlo(channel, clientName, timeouts);
  if (after.reply.code !== 250) throw new HoplightError('ECONNECTION', `${where} refused EHLO over TLS: ${replyText(after.reply)}`, { reply: after.reply });
  facts.capabilitiesAfterTls = capabilityLines(after.reply);
  facts.capabilities = after.capabilities;
  return { ...facts, channel, capabilities: after.capabilities, clientName };
}
