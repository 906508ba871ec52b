import type { SmtpReplyData } from '../../shared/types/errors.js';
import type { SendRequest } from '../../shared/types/message.js';
import type { PhaseTimings, RejectedRecipient, SendStep, SubmissionReport, SubmissionShortcut, TlsFacts, TranscriptEntry } from '../../shared/types/report.js';
import { HoplightError, toErrorData } from './errors.js';
import { checkMessage, type CheckedMessage } from './message/compose-message.js';
import { AttachmentFiles, BlockPool, measureMessage, planWire, wireChunks, type MessageShape, type WirePlan, type WireSkeleton } from './message/message-stream.js';
import { relayGuarantee } from './relay-guarantee.js';
import { checkServerSettings } from './server-settings.js';
import { capabilityLines, sizeLimit, type Capabilities } from './smtp/capabilities.js';
import type { EhloCache } from './smtp/ehlo-cache.js';
import type { TlsSessions } from './tls/session-store.js';
import { openVerifiedSession, type SessionFacts } from './smtp/open-session.js';
import { DotStuffer } from './smtp/dot-stuff-stream.js';
import { queueIdFrom, replyText } from './smtp/reply.js';
import {
  DEFAULT_TIMEOUTS,
  authenticate,
  authenticateWithEnvelope,
  boundedTimeouts,
  canPipelineAuth,
  quit,
  readEhlo,
  readGreeting,
  sendEnvelope,
  type Timeouts,
} from './smtp/session-steps.js';
import type { TrustSettings } from './tls/peer-verification.js';

/** Knobs for tests and benchmarks; the app uses the defaults. */
export interface SubmitOptions {
  readonly timeouts?: Partial<Timeouts>;
  /** The whole send, from connecting to the final reply, ends after this long (default DEFAULT_SEND_DEADLINE_MS). */
  readonly deadlineMs?: number;
  /** Called as the send enters each step (connecting, TLS, authenticating, sending, awaiting the verdict, finished). */
  readonly onProgress?: (step: SendStep) => void;
  /**
   * Cancels the send at whatever step it is in. Before the end of the data nothing is delivered (RFC 5321: an
   * unfinished DATA is discarded) and the outcome is `cancelled`; once the end of the data was written the outcome
   * is `uncertain`.
   */
  readonly signal?: AbortSignal;
  /**
   * Given each chunk of the message as it goes over the wire (before dot-stuffing), in order, e.g. to file a copy
   * in Sent without holding the message in memory. Called synchronously; a copy that fails fails the send. The
   * chunk's buffer is reused once the socket has written it: write it out (or copy it) during the call, never keep it.
   */
  readonly copyContent?: (chunk: Buffer) => void;
  /**
   * Servers' EHLO responses from earlier sessions, for early pipelining where they advertised PIPECONNECT (the
   * app and the CLI keep them in the data folder); without it every session uses the ordinary order.
   */
  readonly ehloCache?: EhloCache;
  /** TLS sessions to resume, kept in memory (the app keeps one store for its lifetime); each is verified anew. */
  readonly tlsSessions?: TlsSessions;
  /** Where a bug in Hoplight (not a server or network failure) is logged; the CLI's and the app's console by default. */
  readonly logError?: (message: string, error: unknown) => void;
}

/** The largest message whose BDAT chunk may go in the envelope's own flight (see runSession). */
export const CONTENT_IN_ENVELOPE_MAX = 64 * 1024;

/** How long one send may take in all: long enough for a server's 10-minute scan of the data (RFC 5321 §4.5.3.2.6). */
export const DEFAULT_SEND_DEADLINE_MS = 12 * 60_000;

/**
 * A request that passed every input check, with the message's wire layout fixed and measured (no attachment is
 * read until the server has accepted the envelope; then each is streamed from disk as the socket drains).
 */
export interface PreparedSubmission {
  readonly request: SendRequest;
  readonly trust: TrustSettings;
  readonly message: CheckedMessage;
  readonly plan: WirePlan;
  readonly shape: MessageShape;
  /** The composed message around its attachments (small); the same bytes go out in every session for it. */
  readonly skeleton: WireSkeleton;
}

/** Validates every field and composes the message; throws EINPUT (naming the field) before any connection. */
export async function prepareSubmission(request: SendRequest, password: string | undefined): Promise<PreparedSubmission> {
  if (!['require-tls', 'default', 'tls-optional'].includes(request.security)) {
    throw new HoplightError('EINPUT', 'security: must be require-tls, default or tls-optional.', { field: 'security' });
  }
  const trust = await checkServerSettings(request.server, password);
  const message = await checkMessage(request.message, request.security);
  const plan = planWire(message);
  const { skeleton, ...shape } = await measureMessage(plan);
  return { request, trust, message, plan, shape, skeleton };
}

/**
 * Submits one message over one SMTP session and reports that very session. Never throws for server or network
 * trouble: the report carries `error`. Throws only for bad input (EINPUT), before connecting.
 */
export async function submitMessage(request: SendRequest, password: string | undefined, options: SubmitOptions = {}): Promise<SubmissionReport> {
  const prepared = await prepareSubmission(request, password);
  return runSubmission(prepared, password, options);
}

interface SessionState extends SessionFacts {
  /** The attachments, opened for this send. */
  files?: AttachmentFiles;
  /** Hoplight itself decided not to go on (e.g. the server's SIZE limit), before any of the message was sent. */
  refusedLocally?: boolean;
  refusedTls?: TlsFacts;
  requireTlsAdvertised: boolean;
  requireTlsRequested: boolean;
  /** MAIL FROM has been written: from here on, part of the message has reached the server. */
  envelopeSent?: boolean;
  /** The whole content and its terminating dot were written: only the server's verdict is missing. */
  contentSent?: boolean;
  authMechanism?: string;
  finalReply?: SmtpReplyData;
  accepted: string[];
  rejected: RejectedRecipient[];
  timings: { connectMs?: number; greetingMs?: number; tlsMs?: number; authMs?: number; transferMs?: number };
  /** The round-trip savings this session used (see SubmissionHop.shortcuts). */
  shortcuts: SubmissionShortcut[];
  /** The fresh EHLO of an early-pipelined session differed from the cached one. */
  staleEhlo?: boolean;
  /** The server's EHLO over TLS was read on this session (not only taken from the cache). */
  freshEhloRead?: boolean;
}

/** Runs the session for a prepared submission. */
export async function runSubmission(prepared: PreparedSubmission, password: string | undefined, options: SubmitOptions = {}): Promise<SubmissionReport> {
  const first = await runSession(prepared, password, options, { early: options.ehloCache !== undefined });
  if (!first.staleEarly) return first.report;
  // The early-pipelined session found the server changed since its EHLO was cached; it sent no content. The
  // message goes now in the ordinary order, with the same security choice, over a new verified session.
  return (
    await runSession(prepared, password, options, {
      early: false,
      prelude: "A first session pipelined early from this server's cached EHLO, which no longer matched what the server does; it was abandoned before any content and the cache refreshed. This session uses the ordinary order.",
    })
  ).report;
}

/** The early pipelining of one session found the server's fresh EHLO differing from the cached one. */
class StaleEhlo extends Error {}

/** Capabilities whose change since they were cached makes an early-pipelined transaction unsafe to complete. */
function differsWhereItMatters(fresh: Capabilities, cached: Capabilities): boolean {
  const key = (caps: Capabilities, name: string): string => JSON.stringify(caps.get(name) ?? null);
  return ['PIPELINING', 'PIPECONNECT', 'X_PIPE_CONNECT', 'REQUIRETLS', 'SIZE', 'SMTPUTF8', '8BITMIME', 'AUTH', 'CHUNKING'].some((name) => key(fresh, name) !== key(cached, name));
}

async function runSession(prepared: PreparedSubmission, password: string | undefined, options: SubmitOptions, mode: { early: boolean; prelude?: string }): Promise<{ report: SubmissionReport; staleEarly: boolean }> {
  const { request, trust, message: checked, shape, skeleton } = prepared;
  const { server } = request;
  const where = `${server.host}:${server.port}`;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  // One overall deadline: every step's own timeout is cut to what is left of it, so the steps cannot add up.
  const deadlineMs = options.deadlineMs ?? DEFAULT_SEND_DEADLINE_MS;
  const deadlineAt = t0 + deadlineMs;
  const timeouts = boundedTimeouts({ ...DEFAULT_TIMEOUTS, ...options.timeouts }, deadlineAt);
  const state: SessionState = { requireTlsAdvertised: false, requireTlsRequested: false, accepted: [], rejected: [], timings: {}, shortcuts: [] };
  const lap = (since: number): number => Math.round(performance.now() - since);
  let error: HoplightError | undefined;
  const { signal } = options;
  const logError = options.logError ?? ((message: string, caught: unknown): void => console.error(`[hoplight] ${message}`, caught));
  const progress = (step: SendStep): void => {
    try {
      options.onProgress?.(step);
    } catch (caught) {
      logError('a progress listener threw', caught);
    }
  };
  const cancelled = (): HoplightError => new HoplightError('ECANCELLED', state.contentSent ? 'Cancelled while waiting for the server\'s verdict.' : 'Cancelled by you before the message was complete, so nothing was delivered.');
  const onAbort = (): void => state.channel?.failWith(cancelled());
  signal?.addEventListener('abort', onAbort, { once: true });
  const checkpoint = (): void => {
    if (signal?.aborted) throw cancelled();
  };

  const method = server.authMethod ?? 'auto';
  const cache = mode.early ? options.ehloCache : undefined;
  try {
    let mark = performance.now();
    progress('connecting');
    const opened = await openVerifiedSession(server, trust, timeouts, state, {
      secrets: password ? [password] : [],
      ...(signal ? { signal } : {}),
      onTls: () => progress('tls'),
      startedAt: t0,
      ...(mode.prelude ? { prelude: mode.prelude } : {}),
      ...(options.tlsSessions ? { tlsSessions: options.tlsSessions } : {}),
      ...(cache
        ? {
            early: {
              cache,
              ...(server.user !== undefined ? { user: server.user } : {}),
              // Early after TLS only when the whole login and envelope can follow the EHLO in one flight.
              afterTls: (cached: Capabilities) => cached.has('PIPELINING') && (password === undefined || server.user === undefined || canPipelineAuth(cached, method)),
            },
          }
        : {}),
    });
    const { channel, capabilities } = opened;
    const pending = opened.pendingEhlo;
    if (!pending) state.freshEhloRead = true;
    if (state.earlyBeforeTls || pending) state.shortcuts.push('early-pipelining');
    // With an early EHLO, its reply (and with implicit TLS the greeting) comes first among the envelope's replies;
    // it is read, compared with the cache and stored before anything else is read, and long before any content.
    const readFreshEhlo = pending
      ? async (): Promise<void> => {
          if (pending.greetingPending) state.greeting = await readGreeting(channel, timeouts, where, true);
          const fresh = await readEhlo(channel, timeouts);
          if (fresh.reply.code !== 250) throw new HoplightError('ECONNECTION', `${where} refused EHLO over TLS: ${replyText(fresh.reply)}`, { reply: fresh.reply });
          state.capabilitiesAfterTls = capabilityLines(fresh.reply);
          state.freshEhloRead = true;
          if (state.tls) cache?.put(pending.key, { ...(state.capabilitiesBeforeTls ? { beforeTls: state.capabilitiesBeforeTls } : {}), afterTls: state.capabilitiesAfterTls, fingerprintSha256: state.tls.certificate.fingerprintSha256 });
          if (differsWhereItMatters(fresh.capabilities, pending.cached)) state.staleEhlo = true;
        }
      : undefined;
    channel.writeTimeoutMs = timeouts.commandMs;
    const overall = setTimeout(() => channel.failWith(deadlineError(deadlineMs)), Math.max(1, deadlineAt - performance.now()));
    overall.unref();
    channel.onClosed(() => clearTimeout(overall));
    checkpoint();

    // RFC 8689 §4.1: REQUIRETLS may only be used if the server advertises it after TLS. Check before AUTH, so
    // neither the password nor any part of the message is sent to a server that cannot honour the choice.
    state.requireTlsAdvertised = capabilities.has('REQUIRETLS');
    if (request.security === 'require-tls' && !state.requireTlsAdvertised) {
      throw new HoplightError(
        'EREQUIRETLS',
        `${server.host} does not support REQUIRETLS (it did not advertise it after STARTTLS/TLS), so it cannot promise to keep every hop of this message on TLS. The message was not sent; nothing was transmitted.`,
        { hint: 'You can send with "Default" security (hop 1 stays encrypted; later hops follow the servers\' policies), use an account whose server supports REQUIRETLS, or ask the server\'s administrator to enable it (e.g. Postfix 3.11 or later).' },
      );
    }
    // The exact size is known before anything is read (see message-stream.ts): a message over the server's SIZE
    // limit (RFC 1870) is refused here, before the password or any part of the message goes out.
    const mailParameters = envelopeParameters(checked, shape, capabilities, request.security === 'require-tls', where, state);
    // Opened now, so a file that vanished or changed since it was attached is refused before MAIL FROM.
    state.files = await AttachmentFiles.open(checked);
    checkpoint();

    const credentials = server.user !== undefined && password !== undefined ? { user: server.user, password } : undefined;
    // AUTH PLAIN goes in one flight with the envelope where RFC 4954 §4 allows it; content only after 235.
    const pipelinedAuth = credentials !== undefined && canPipelineAuth(capabilities, method);
    if (credentials && !pipelinedAuth) {
      progress('authenticating');
      mark = performance.now();
      state.authMechanism = await authenticate(channel, capabilities, credentials, server.authMethod ?? 'auto', timeouts, where);
      state.timings.authMs = lap(mark);
    }

    checkpoint();
    mark = performance.now();
    state.requireTlsRequested = request.security === 'require-tls';
    state.envelopeSent = true;
    // RFC 3030: with CHUNKING the content goes as one `BDAT n LAST` chunk (its exact length is known), so no
    // DATA/354 and no dot-stuffing. Composed content always has CRLF line ends; anything else takes DATA.
    const chunking = capabilities.has('CHUNKING') && skeleton.crlfOnly;
    // The chunk may even go in the envelope's own flight, saving a round trip, only where that cannot break a
    // promise: one recipient (a refusal leaves nobody half-served), no login (content never precedes a 235), not
    // REQUIRETLS (a refusal for it must leave nothing transmitted), the server's EHLO read on this session and
    // pipelining offered, and a small message (a refused envelope wastes little).
    const contentInEnvelope =
      chunking &&
      !credentials &&
      checked.recipients.length === 1 &&
      request.security !== 'require-tls' &&
      state.freshEhloRead === true &&
      !pending &&
      capabilities.has('PIPELINING') &&
      shape.length <= CONTENT_IN_ENVELOPE_MAX;
    const envelope = { from: checked.from.envelope, mailParameters, recipients: checked.recipients.map((r) => r.envelope), chunking };
    const pool = new BlockPool();
    const files = state.files;
    // What was measured is what is sent: a byte more is never written, a byte less never ends the data.
    const sendContent = async (): Promise<void> => {
      const content = { copy: options.copyContent, release: (chunk: Buffer) => pool.release(chunk), expectedLength: shape.length };
      if (chunking) {
        await channel.sendStream(wireChunks(skeleton, files, pool), { ...content, command: { wire: `BDAT ${shape.length} LAST` } });
      } else {
        const stuffer = new DotStuffer();
        await channel.sendStream(wireChunks(skeleton, files, pool), { ...content, transform: (chunk) => stuffer.push(chunk), end: () => stuffer.end() });
      }
      state.contentSent = true;
    };
    let outcome: Awaited<ReturnType<typeof sendEnvelope>>;
    if (credentials && pipelinedAuth) {
      progress('authenticating');
      state.shortcuts.push('pipelined-auth');
      outcome = await authenticateWithEnvelope(
        channel,
        credentials,
        envelope,
        timeouts,
        where,
        () => {
          state.authMechanism = 'PLAIN';
          state.timings.authMs = lap(mark);
          progress('sending');
        },
        readFreshEhlo,
      );
    } else {
      progress('sending');
      outcome = await sendEnvelope(channel, envelope, capabilities.has('PIPELINING'), timeouts, contentInEnvelope ? sendContent : readFreshEhlo);
    }
    if (state.staleEhlo) {
      // Nothing of the content was sent: a 354 is met by closing, anything else by QUIT; then the ordinary order.
      if (outcome.dataReply?.code === 354) channel.abort();
      throw new StaleEhlo('the cached EHLO no longer matched');
    }
    if (capabilities.has('PIPELINING')) state.shortcuts.unshift('pipelining');
    if (chunking) state.shortcuts.push('chunking');
    if (contentInEnvelope) {
      state.shortcuts.push('content-in-envelope');
      // The chunk's verdict follows the envelope's replies; read it before judging them, so a refused envelope
      // is reported with the server's last word and never as "uncertain".
      state.finalReply = await channel.readReply(timeouts.dataEndMs, 'the end of the message');
    }
    state.accepted = [...outcome.accepted];
    state.rejected = [...outcome.rejected];
    checkEnvelopeOutcome(outcome, state, where, chunking);
    if (!contentInEnvelope) {
      await sendContent();
    }
    progress('awaiting-verdict');
    state.finalReply ??= await channel.readReply(timeouts.dataEndMs, 'the end of the message');
    state.timings.transferMs = lap(mark);
    // RFC 5321 §4.2.1: any 2yz is positive completion; only 4yz and 5yz refuse the message.
    if (state.finalReply.code < 200 || state.finalReply.code >= 300) {
      throw new HoplightError(isRequireTlsRefusal(state.finalReply, state) ? 'EREQUIRETLS' : 'EMESSAGE', `${where} refused the message: ${replyText(state.finalReply)}`, {
        reply: state.finalReply,
        messageTransmitted: true,
      });
    }
    quit(channel);
  } catch (caught) {
    // An early-pipelined session that failed before the server's fresh EHLO over TLS was read (a server that no
    // longer takes early commands may greet early talkers with 421) sent no content: the cache is dropped and the
    // message goes in the ordinary order at once, so a stale cache can never keep a message from leaving.
    const earlyFailed =
      cache !== undefined && (state.earlyBeforeTls || state.shortcuts.includes('early-pipelining')) && !state.freshEhloRead && !state.contentSent && !(caught instanceof HoplightError && ['ECANCELLED', 'EINPUT'].includes(caught.code));
    if (earlyFailed && state.clientName) cache.forget({ host: server.host, port: server.port, security: server.security, clientName: state.clientName, ...(server.user !== undefined ? { user: server.user } : {}) });
    if (caught instanceof StaleEhlo || earlyFailed) {
      if (state.channel) quit(state.channel);
      return { report: buildReport(prepared, state, startedAt, lap(t0), deadlineMs, undefined), staleEarly: true };
    }
    error = caught instanceof HoplightError ? caught : new HoplightError('EINTERNAL', `Internal error in Hoplight: ${caught instanceof Error ? caught.message : String(caught)}`, { cause: caught });
    if (signal?.aborted) error = Object.assign(cancelled(), { messageTransmitted: error.messageTransmitted });
    // A step that ran out of time because the whole send did says so, with the limit that applied.
    if (error.code === 'ETIMEDOUT' && performance.now() >= deadlineAt - 5) error = Object.assign(deadlineError(deadlineMs), { messageTransmitted: error.messageTransmitted });
    if (state.envelopeSent) error.messageTransmitted = true;
    else if (error.code === 'EINPUT') state.refusedLocally = true;
    if (error.refusedTls) state.refusedTls = error.refusedTls;
    if (!(caught instanceof HoplightError)) logError('unexpected error during submission', caught);
    // RFC 5321 §4.1.1.4: a server must not deliver a message whose data did not end. Only after the final dot
    // went out, with no reply back, is the outcome truly unknown.
    if (state.contentSent && !state.finalReply) {
      error = new HoplightError(error.code, `${error.message} The server never confirmed the message, so it may or may not have been delivered.`, {
        ...(error.reply ? { reply: error.reply } : {}),
        hint: 'Check with the recipients or the Sent copy before sending again.',
        messageTransmitted: true,
      });
    }
    if (state.channel) quit(state.channel);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await state.files?.close();
  }
  progress('finished');
  return { report: buildReport(prepared, state, startedAt, lap(t0), deadlineMs, error), staleEarly: false };
}

function deadlineError(deadlineMs: number): HoplightError {
  return new HoplightError('ETIMEDOUT', `The send did not finish within its overall limit of ${Math.round(deadlineMs / 1000)} s, so Hoplight stopped it.`, {
    hint: 'The server is very slow or stalling. Try again later; the limit can be changed.',
    hintId: 'deadline',
  });
}

function sizeError(size: number, limit: number, where: string, state: SessionState): HoplightError {
  state.refusedLocally = true;
  return new HoplightError('EMESSAGE', `The message is ${formatBytes(size)}, but ${where} accepts at most ${formatBytes(limit)} (its SIZE limit), so Hoplight did not send it. Nothing was transmitted.`, {
    hint: 'Remove or shrink attachments.',
  });
}

/** MAIL FROM parameters, checked against what the server offers; nothing is sent when one cannot be met. */
function envelopeParameters(message: CheckedMessage, shape: MessageShape, capabilities: Capabilities, requireTls: boolean, where: string, state: SessionState): string[] {
  const parameters: string[] = [];
  const limit = sizeLimit(capabilities);
  if (limit !== undefined && shape.length > limit) throw sizeError(shape.length, limit, where, state);
  if (capabilities.has('SIZE')) parameters.push(`SIZE=${shape.length}`); // RFC 1870
  if (message.needsSmtpUtf8) {
    if (!capabilities.has('SMTPUTF8')) {
      state.refusedLocally = true;
      throw new HoplightError('EENVELOPE', `An address has non-ASCII characters in its local part, and ${where} does not support internationalised addresses (SMTPUTF8, RFC 6531). Nothing was sent.`);
    }
    parameters.push('SMTPUTF8');
  }
  if (shape.has8BitContent) {
    if (capabilities.has('8BITMIME')) parameters.push('BODY=8BITMIME'); // RFC 6152
    else if (!message.needsSmtpUtf8) {
      state.refusedLocally = true;
      throw new HoplightError('EMESSAGE', `The message has 8-bit content and ${where} does not accept it (no 8BITMIME). Nothing was sent.`);
    }
  }
  if (requireTls) parameters.push('REQUIRETLS'); // RFC 8689 §4.1
  return parameters;
}

/** Applies the all-or-nothing rule: the content is sent only when the sender and every recipient were accepted. */
function checkEnvelopeOutcome(outcome: Awaited<ReturnType<typeof sendEnvelope>>, state: SessionState, where: string, chunking: boolean): void {
  const { mailReply, rejected, dataReply } = outcome;
  const abandon = (): void => {
    // Closing the connection in the DATA phase aborts the transaction (RFC 5321 §3.3): nothing is delivered.
    if (dataReply?.code === 354) state.channel?.abort();
  };
  if (mailReply.code === 421) {
    throw new HoplightError('ECONNECTION', `${where} closed the session: ${replyText(mailReply)}`, { reply: mailReply, messageTransmitted: true, hint: 'The server is busy or restarting; try again later.' });
  }
  if (mailReply.code !== 250) {
    abandon();
    const requireTls = isRequireTlsRefusal(mailReply, state);
    throw new HoplightError(requireTls ? 'EREQUIRETLS' : 'EENVELOPE', `${where} refused the sender: ${replyText(mailReply)}`, { reply: mailReply, messageTransmitted: true });
  }
  if (rejected.length > 0) {
    abandon();
    const list = rejected.map((r) => `${r.address} (${replyText(r.reply)})`).join('; ');
    throw new HoplightError('EENVELOPE', `${where} refused ${rejected.length === 1 ? 'a recipient' : `${rejected.length} recipients`}: ${list}. The message was not sent to anyone.`, {
      reply: rejected[0]?.reply,
      hint: 'Correct or remove the refused addresses and send again; no recipient received it.',
      messageTransmitted: true,
    });
  }
  if (!chunking && (!dataReply || dataReply.code !== 354)) {
    throw new HoplightError('EMESSAGE', `${where} refused to take the message: ${dataReply ? replyText(dataReply) : 'no reply to DATA'}`, {
      ...(dataReply ? { reply: dataReply } : {}),
      messageTransmitted: true,
    });
  }
}

/** RFC 8689 §6: 5.7.30 means "REQUIRETLS support required"; 5.7.10 (encryption needed) is what relays such as Postfix 3.11 use when a next hop cannot be authenticated. */
function isRequireTlsRefusal(reply: SmtpReplyData, state: SessionState): boolean {
  return state.requireTlsRequested && (reply.enhancedStatus === '5.7.30' || reply.enhancedStatus === '5.7.10' || /REQUIRETLS/i.test(reply.lines.join(' ')));
}

/**
 * The round trips this session spent: the TCP handshake, the TLS handshake (one for TLS 1.3, two for a full TLS
 * 1.2 one) and each wait for an SMTP reply after writing (pipelined replies count once).
 */
function roundTripsOf(state: SessionState): number {
  const tls = state.tls ? (state.tls.protocol === 'TLSv1.3' || state.tls.resumed ? 1 : 2) : 0;
  return 1 + tls + (state.channel?.roundTrips ?? 0);
}

function formatBytes(bytes: number): string {
  if (bytes < 10 * 1024) return `${bytes} bytes`;
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

function buildReport(prepared: PreparedSubmission, state: SessionState, startedAt: string, totalMs: number, deadlineMs: number, error: HoplightError | undefined): SubmissionReport {
  const { request, message: checked, shape } = prepared;
  const accepted = error === undefined;
  const transcript: readonly TranscriptEntry[] = state.channel?.transcript ?? [];
  const timings: PhaseTimings = { ...state.timings, totalMs, deadlineMs };
  const errorData = error ? toErrorData(error) : undefined;
  const outcome: SubmissionReport['outcome'] = accepted
    ? 'accepted'
    : state.contentSent && !state.finalReply
      ? 'uncertain'
      : errorData?.code === 'ECANCELLED'
        ? 'cancelled'
    : !errorData?.messageTransmitted && (errorData?.code === 'ESTARTTLS' || errorData?.code === 'EREQUIRETLS' || state.refusedLocally)
      ? 'not-sent'
      : errorData?.code === 'EENVELOPE' || errorData?.code === 'EMESSAGE' || errorData?.code === 'EREQUIRETLS'
        ? 'rejected'
        : 'failed';
  const queueId = state.finalReply && accepted ? queueIdFrom(state.finalReply) : undefined;
  return {
    reportVersion: 2,
    outcome,
    securityChoice: request.security,
    connectionSecurity: request.server.security,
    startedAt,
    message: {
      messageId: checked.messageId,
      sizeBytes: shape.length,
      envelopeFrom: checked.from.envelope,
      recipients: checked.recipients.map((r) => r.envelope),
      acceptedRecipients: accepted ? state.accepted : [],
      rejectedRecipients: state.rejected,
      tlsRequiredNoHeader: checked.tlsRequiredNoHeader,
    },
    submissionHop: {
      host: request.server.host,
      port: request.server.port,
      transport: request.server.security === 'implicit' ? 'implicit-tls' : 'starttls',
      ...(state.remoteAddress ? { remoteAddress: state.remoteAddress } : {}),
      ...(state.greeting ? { greeting: state.greeting } : {}),
      ...(state.tls ? { tls: state.tls } : {}),
      ...(state.refusedTls ? { refusedTls: state.refusedTls } : {}),
      ...(state.capabilitiesBeforeTls ? { capabilitiesBeforeTls: state.capabilitiesBeforeTls } : {}),
      ...(state.capabilitiesAfterTls ? { capabilitiesAfterTls: state.capabilitiesAfterTls } : {}),
      requireTls: { advertised: state.requireTlsAdvertised, requested: state.requireTlsRequested, accepted: accepted && state.requireTlsRequested },
      ...(state.authMechanism ? { authMechanism: state.authMechanism } : {}),
      ...(state.channel ? { roundTrips: roundTripsOf(state), shortcuts: state.shortcuts } : {}),
      ...(state.finalReply ? { finalReply: state.finalReply } : {}),
      ...(queueId ? { queueId } : {}),
      timings,
      transcript,
    },
    relays: relayGuarantee(request.security),
    ...(errorData ? { error: errorData } : {}),
  };
}
