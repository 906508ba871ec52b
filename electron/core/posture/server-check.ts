import { X509Certificate } from 'node:crypto';
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Attempt, CheckStep, ExtensionsCheck, Finding, ServerCheckResult, TlsVersionName, TlsVersionResult } from '../../../shared/types/posture.js';
import { HoplightError, inputError } from '../errors.js';
import { parseCapabilities, capabilityLines, sizeLimit } from '../smtp/capabilities.js';
import { replyText } from '../smtp/reply.js';
import { DEFAULT_TIMEOUTS, boundedTimeouts, type Timeouts } from '../smtp/session-steps.js';
import { checkCertificate, issuerOf } from './certificate-check.js';
import type { TlsaRecord } from './dane.js';
import { finding } from './findings.js';
import { decodeStapledOcsp } from './ocsp.js';
import { CLIENT_SIDE_TLS_ERRORS as CLIENT_SIDE, isTlsRefusal, probe, type ProbeOptions, type ProbeOutcome } from './probe.js';

/** What to check. */
export interface ServerCheckOptions {
  readonly host: string;
  readonly port?: number;
  /** `auto`: implicit TLS on 465, STARTTLS elsewhere. */
  readonly security?: 'starttls' | 'implicit' | 'auto';
  /** The name the certificate must carry; defaults to the host. */
  readonly tlsName?: string;
  readonly extraCaPem?: string;
  readonly timeouts?: Partial<Timeouts>;
  /** DNSSEC-validated, usable TLSA records: a certificate they authenticate is trusted (RFC 7672). */
  readonly daneRecords?: readonly TlsaRecord[];
  /** The whole check ends after this long (default DEFAULT_CHECK_DEADLINE_MS); each probe step is cut to what is left. */
  readonly deadlineMs?: number;
  /** Cancels the check: every probe's socket is destroyed and checkServer rejects with ECANCELLED. */
  readonly signal?: AbortSignal;
  /** Called as each probe starts and ends. */
  readonly onProgress?: (step: CheckStep) => void;
}

/** How long one server check may take in all. */
export const DEFAULT_CHECK_DEADLINE_MS = 60_000;

const VERSIONS: readonly TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const VERSION_WORDS: Readonly<Record<TlsVersionName, string>> = { TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3' };

const done = <T>(result: T): Attempt<T> => ({ status: 'completed', result });
const failed = <T>(reason: string): Attempt<T> => ({ status: 'error', reason });
const skipped = <T>(reason: string): Attempt<T> => ({ status: 'not-run', reason });

/**
 * Checks a submission or MX server's TLS posture with a handful of bounded, parallel connections: one full probe
 * (greeting, EHLO, STARTTLS, TLS with an OCSP request, EHLO again), one per TLS version, and one STARTTLS-injection
 * probe, and one that asks whether AUTH before TLS would take a password (it never sends one). It never
 * authenticates and never sends mail.
 */
export async function checkServer(options: ServerCheckOptions): Promise<ServerCheckResult> {
  const port = options.port ?? 587;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw inputError('port', 'must be a number from 1 to 65535.');
  if (!options.host || /[\s/\\]/.test(options.host)) throw inputError('host', `"${options.host}" is not a host name or address.`);
  const security = !options.security || options.security === 'auto' ? (port === 465 ? 'implicit' : 'starttls') : options.security;
  const checkedName = (options.tlsName ?? options.host).replace(/\.$/, '');
  const startedAtMs = performance.now();
  const timeouts = boundedTimeouts({ ...DEFAULT_TIMEOUTS, connectMs: 10_000, greetingMs: 20_000, tlsMs: 15_000, commandMs: 20_000, ...options.timeouts }, startedAtMs + (options.deadlineMs ?? DEFAULT_CHECK_DEADLINE_MS));
  const base = { host: options.host, port, security, checkedName, timeouts, ...(options.extraCaPem ? { extraCaPem: options.extraCaPem } : {}), ...(options.daneRecords?.length ? { daneRecords: options.daneRecords } : {}) } as const;
  const startedAt = new Date();
  const t0 = performance.now();

  if (options.signal?.aborted) throw cancelledCheck();
  if (options.signal) allowListeners(options.signal, 2 * (2 + VERSIONS.length));
  const step = async (id: string, label: string, probeOptions: ProbeOptions): Promise<ProbeOutcome> => {
    report(options.onProgress, { id, label, state: 'running' });
    const outcome = await probe(probeOptions);
    const refusal = probeOptions.tlsVersion !== undefined && outcome.stage === 'tls' && isTlsRefusal((outcome.error?.cause as { code?: string } | undefined)?.code);
    const ended = outcome.stage === 'done' || refusal;
    report(options.onProgress, { id, label, state: ended ? 'done' : 'stopped', ...(outcome.error ? { detail: refusal ? 'refused by the server' : outcome.error.message } : {}) });
    return outcome;
  };
  const signal = options.signal ? { signal: options.signal } : {};
  const [main, injection, cleartextAuth, ...versionProbes] = await Promise.all([
    step('main', security === 'implicit' ? 'TLS, certificate, greeting and EHLO' : 'Greeting, EHLO, STARTTLS, certificate and EHLO over TLS', { ...base, ...signal, requestOcsp: true }),
    security === 'starttls' ? step('injection', 'STARTTLS command injection', { ...base, ...signal, injectNoop: true }) : Promise.resolve(undefined),
    security === 'starttls' ? step('auth-before-tls', 'Whether AUTH before TLS would take a password (none is sent)', { ...base, ...signal, probeCleartextAuth: true }) : Promise.resolve(undefined),
    ...VERSIONS.map((tlsVersion) => step(tlsVersion, `${VERSION_WORDS[tlsVersion]} offered alone`, { ...base, ...signal, tlsVersion, stopAfterHandshake: true })),
  ]);
  if (options.signal?.aborted) throw cancelledCheck();
  const subject = `${options.host}:${port}`;
  const result = assemble(main, injection, versionProbes as ProbeOutcome[], { ...base, subject }, cleartextAuth?.cleartextAuth);
  return { ...result, startedAt: startedAt.toISOString(), durationMs: Math.round(performance.now() - t0) };
}

/** The error of a cancelled check: nothing half-checked is reported as a result. */
export const cancelledCheck = (): HoplightError => new HoplightError('ECANCELLED', 'The check was cancelled; nothing of it is reported.');

/** Lets one signal be listened to by every probe of a check (each probe and its connect add one). */
export function allowListeners(signal: AbortSignal, count: number): void {
  if (getMaxListeners(signal) < count) setMaxListeners(count, signal);
}

/** Calls a progress listener; a listener that throws never breaks the check. */
export function report(listener: ((step: CheckStep) => void) | undefined, step: CheckStep): void {
  try {
    listener?.(step);
  } catch {
    // A listener's own failure is not the check's.
  }
}

interface Context {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'implicit';
  readonly checkedName: string;
  readonly subject: string;
}

function assemble(main: ProbeOutcome, injectionProbe: ProbeOutcome | undefined, versionProbes: readonly ProbeOutcome[], context: Context, cleartextAuth?: ProbeOutcome['cleartextAuth']): Omit<ServerCheckResult, 'startedAt' | 'durationMs'> {
  const { subject } = context;
  const findings: Finding[] = [];
  const reached = main.stage !== 'connect';
  const why = main.error?.message ?? 'the probe stopped early';
  const unreached = `not reached: ${why}`;

  const connection = !reached
    ? failed<{ greeting: string }>(why)
    : main.greeting
      ? done({ ...(main.remoteAddress ? { remoteAddress: main.remoteAddress } : {}), greeting: replyText(main.greeting) })
      : failed<{ greeting: string }>(`connected, but no greeting: ${why}`);
  if (!reached) findings.push(finding('connection.failed', subject, why));

  const ehloBeforeTls =
    context.security === 'implicit' ? skipped<{ capabilities: string[] }>('implicit TLS has no cleartext phase') : main.ehloBeforeTls ? done({ capabilities: capabilityLines(main.ehloBeforeTls) }) : failed<{ capabilities: string[] }>(unreached);

  type StartTlsFacts = ServerCheckResult['starttls'] extends Attempt<infer T> ? T : never;
  const starttls: Attempt<StartTlsFacts> =
    context.security === 'implicit'
      ? skipped('implicit TLS')
      : main.starttls
        ? done({ offered: main.starttls.offered, accepted: main.starttls.accepted, ...(main.starttls.reply ? { reply: replyText(main.starttls.reply) } : {}) })
        : failed(unreached);
  if (starttls.status === 'completed' && !starttls.result.offered) findings.push(finding('starttls.missing', subject));
  if (starttls.status === 'completed' && starttls.result.offered && !starttls.result.accepted) findings.push(finding('starttls.refused', subject, starttls.result.reply));

  const handshake = main.handshake;
  const tls = handshake
    ? done({ protocol: handshake.protocol ?? 'unknown', cipher: handshake.cipher.name, ...(handshake.ephemeral && 'name' in handshake.ephemeral && handshake.ephemeral.name ? { keyExchange: handshake.ephemeral.name } : {}) })
    : main.stage === 'tls'
      ? failed<{ protocol: string; cipher: string }>(why)
      : skipped<{ protocol: string; cipher: string }>(unreached);
  // A refused certificate is reported by the certificate findings; tls.failed is for handshakes that failed.
  if (main.stage === 'tls' && main.error && !handshake && main.error.code === 'ETLS') findings.push(finding('tls.failed', subject, main.error.message));
  const refused = handshake !== undefined && !handshake.authorized;
  const untrusted = 'the certificate is not trusted, so Hoplight did not continue over TLS (it never continues a session it would not send over)';

  const beforeLines = main.ehloBeforeTls ? capabilityLines(main.ehloBeforeTls) : [];
  const afterLines = main.ehloAfterTls?.code === 250 ? capabilityLines(main.ehloAfterTls) : undefined;
  const ehloAfterTls = afterLines
    ? done({ capabilities: afterLines, added: afterLines.filter((l) => !beforeLines.includes(l)), removed: context.security === 'implicit' ? [] : beforeLines.filter((l) => !afterLines.includes(l)) })
    : main.ehloAfterTls
      ? failed<{ capabilities: string[]; added: string[]; removed: string[] }>(`EHLO over TLS refused: ${replyText(main.ehloAfterTls)}`)
      : skipped<{ capabilities: string[]; added: string[]; removed: string[] }>(refused ? untrusted : handshake ? why : 'TLS was not established');

  const tlsVersions = Object.fromEntries(VERSIONS.map((version, index) => [version, versionAttempt(versionProbes[index])])) as Record<TlsVersionName, Attempt<TlsVersionResult>>;
  versionFindings(tlsVersions, subject, findings);

  const certificate = handshake?.peer?.raw ? done(checkCertificate(handshake, context.checkedName)) : skipped<never>(handshake ? 'the server presented no certificate' : 'TLS was not established');
  if (certificate.status === 'completed') {
    const c = certificate.result;
    const expiryError = c.chainError === 'CERT_HAS_EXPIRED' || c.chainError === 'CERT_NOT_YET_VALID';
    if (!c.chainTrusted && !expiryError) findings.push(finding('cert.untrusted', subject, c.chainError));
    if (c.expired) findings.push(finding('cert.expired', subject, `expired on ${c.leaf.validTo}`));
    if (c.notYetValid) findings.push(finding('cert.not-yet-valid', subject, `valid from ${c.leaf.validFrom}`));
    if (!c.expired && c.daysUntilExpiry < 14) findings.push(finding('cert.expires-soon', subject, `${c.daysUntilExpiry} days left`));
    if (!c.hostnameMatched) findings.push(finding('cert.hostname-mismatch', subject, `checked "${c.checkedName}" against ${c.leaf.subjectAltNames.join(', ') || c.leaf.subject}`));
    if (c.chainTrusted && c.hostnameMatched && !c.expired && !c.notYetValid) findings.push(finding('cert.valid', subject));
  }

  const ocsp = ocspAttempt(main);
  if (ocsp.status === 'completed') {
    if (!ocsp.result.stapled) findings.push(finding('ocsp.not-stapled', subject));
    else {
      findings.push(finding('ocsp.stapled', subject, ocsp.result.status ? `status ${ocsp.result.status}` : ocsp.result.detail));
      if (ocsp.result.status === 'revoked') findings.push(finding('ocsp.revoked', subject, ocsp.result.revokedAt));
      if (ocsp.result.signatureValid === false) findings.push(finding('ocsp.bad-signature', subject));
    }
  }

  const extensions = afterLines ? done({ ...extensionsOf(main, context.security), ...(cleartextAuth ? { authBeforeTlsProbe: { accepted: cleartextAuth.accepted, mechanism: cleartextAuth.mechanism, reply: cleartextAuth.reply } } : {}) }) : skipped<ExtensionsCheck>(refused ? untrusted : 'EHLO over TLS was not reached');
  if (extensions.status === 'completed') extensionFindings(extensions.result, subject, findings, cleartextAuth);
  if (cleartextAuth?.accepted && !cleartextAuth.advertised) findings.push(finding('auth.cleartext-accepted', subject, `AUTH ${cleartextAuth.mechanism} before TLS was answered ${cleartextAuth.reply}, although AUTH is not advertised before TLS (a client misled by a stripped EHLO would send its password in cleartext)`));
  else if (main.ehloBeforeTls) {
    // Even without TLS, what the cleartext EHLO offers is a fact worth reporting.
    const before = parseCapabilities(main.ehloBeforeTls);
    if (before.has('AUTH')) authBeforeTlsFindings(`AUTH ${before.get('AUTH')?.join(' ')}`, subject, findings, cleartextAuth);
    if (before.has('REQUIRETLS')) findings.push(finding('requiretls.before-tls', subject));
  }

  const starttlsInjection =
    context.security === 'implicit'
      ? skipped<{ vulnerable: boolean; detail: string }>('implicit TLS has no STARTTLS')
      : injectionProbe?.injection
        ? done(injectionProbe.injection)
        : injectionProbe?.handshake && !injectionProbe.handshake.authorized
          ? skipped<{ vulnerable: boolean; detail: string }>(untrusted)
          : failed<{ vulnerable: boolean; detail: string }>(injectionProbe?.error?.message ?? 'the probe did not complete');
  if (starttlsInjection.status === 'completed') findings.push(finding(starttlsInjection.result.vulnerable ? 'starttls.injection' : 'starttls.no-injection', subject, starttlsInjection.result.detail));

  return {
    host: context.host,
    port: context.port,
    security: context.security,
    checkedName: context.checkedName,
    connection,
    ehloBeforeTls,
    starttls,
    tls,
    ehloAfterTls,
    tlsVersions,
    certificate,
    ocsp,
    extensions,
    starttlsInjection,
    findings,
  };
}

function versionAttempt(outcome: ProbeOutcome | undefined): Attempt<TlsVersionResult> {
  if (!outcome) return skipped('not probed');
  if (outcome.handshake) return done({ accepted: true, cipher: outcome.handshake.cipher.name });
  if (outcome.stage !== 'tls') return failed(`the probe did not reach TLS: ${outcome.error?.message ?? 'unknown'}`);
  const cause = outcome.error?.cause as { code?: string } | undefined;
  const code = cause?.code ?? '';
  if (CLIENT_SIDE.includes(code)) return skipped(`not tested: this machine's TLS library cannot offer it (${code})`);
  if (outcome.error?.code === 'ETIMEDOUT') return failed(outcome.error.message);
  // Only the server's own TLS answer (an alert, another version) is a refusal; a reset says nothing about support.
  if (!isTlsRefusal(code)) return failed(`could not check: ${outcome.error?.message ?? 'the handshake did not complete'}`);
  return done({ accepted: false, detail: code });
}

function versionFindings(versions: Record<TlsVersionName, Attempt<TlsVersionResult>>, subject: string, findings: Finding[]): void {
  const accepted = (v: TlsVersionName): boolean | undefined => (versions[v].status === 'completed' ? (versions[v] as { result: TlsVersionResult }).result.accepted : undefined);
  if (accepted('TLSv1')) findings.push(finding('tls.version.tls1_0', subject));
  if (accepted('TLSv1.1')) findings.push(finding('tls.version.tls1_1', subject));
  if (accepted('TLSv1.3') === false) findings.push(finding('tls.version.tls1_3-missing', subject));
  if (accepted('TLSv1') === false && accepted('TLSv1.1') === false && (accepted('TLSv1.2') || accepted('TLSv1.3'))) findings.push(finding('tls.version.tls1_2-only-or-newer', subject));
}

function ocspAttempt(main: ProbeOutcome): Attempt<import('../../../shared/types/posture.js').OcspCheck> {
  const handshake = main.handshake;
  if (!handshake?.peer?.raw) return skipped('TLS was not established');
  if (!main.ocspResponse) return done({ requested: true, stapled: false });
  try {
    return done(decodeStapledOcsp(main.ocspResponse, new X509Certificate(handshake.peer.raw), issuerOf(handshake)));
  } catch (error) {
    return failed(`the stapled response could not be decoded: ${(error as Error).message}`);
  }
}

function extensionsOf(main: ProbeOutcome, security: 'starttls' | 'implicit'): ExtensionsCheck {
  const after = parseCapabilities(main.ehloAfterTls!);
  const before = security === 'starttls' && main.ehloBeforeTls ? parseCapabilities(main.ehloBeforeTls) : new Map<string, readonly string[]>();
  const size = sizeLimit(after);
  return {
    requireTlsAfterTls: after.has('REQUIRETLS'),
    requireTlsBeforeTls: before.has('REQUIRETLS'),
    authBeforeTls: before.get('AUTH') ?? [],
    authAfterTls: after.get('AUTH') ?? [],
    pipelining: after.has('PIPELINING'),
    pipeconnect: after.has('PIPECONNECT') || after.has('X_PIPE_CONNECT'),
    chunking: after.has('CHUNKING'),
    smtputf8: after.has('SMTPUTF8'),
    eightBitMime: after.has('8BITMIME'),
    dsn: after.has('DSN'),
    ...(size !== undefined ? { size } : {}),
    enhancedStatusCodes: after.has('ENHANCEDSTATUSCODES'),
  };
}

/**
 * AUTH before TLS, told apart: a server that answered AUTH with a challenge would take a password in cleartext
 * (critical); one that refused it keeps auth.before-tls at medium with its refusal quoted (a client that pipelines
 * `AUTH PLAIN <initial response>` still sends its password before that refusal arrives); untold, it stays high.
 */
function authBeforeTlsFindings(offered: string, subject: string, findings: Finding[], probe: ProbeOutcome['cleartextAuth']): void {
  if (probe?.accepted) {
    findings.push(finding('auth.cleartext-accepted', subject, `AUTH ${probe.mechanism} before TLS was answered ${probe.reply}`));
    findings.push(finding('auth.before-tls', subject, offered));
  } else if (probe) findings.push(finding('auth.before-tls', subject, `${offered}; AUTH ${probe.mechanism} before TLS was refused: ${probe.reply}`, 'medium'));
  else findings.push(finding('auth.before-tls', subject, offered));
}

function extensionFindings(e: ExtensionsCheck, subject: string, findings: Finding[], probe?: ProbeOutcome['cleartextAuth']): void {
  findings.push(finding(e.requireTlsAfterTls ? 'requiretls.supported' : 'requiretls.missing', subject));
  if (e.requireTlsBeforeTls) findings.push(finding('requiretls.before-tls', subject));
  if (e.authBeforeTls.length > 0) authBeforeTlsFindings(`AUTH ${e.authBeforeTls.join(' ')}`, subject, findings, probe);
  if (e.authAfterTls.length > 0) findings.push(finding('auth.mechanisms', subject, e.authAfterTls.join(' ')));
  if (e.pipelining) findings.push(finding('pipelining.supported', subject));
  if (e.pipeconnect) findings.push(finding('pipeconnect.supported', subject));
  if (e.chunking) findings.push(finding('chunking.supported', subject));
  if (!e.smtputf8) findings.push(finding('smtputf8.missing', subject));
}
