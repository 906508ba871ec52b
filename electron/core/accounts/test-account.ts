import type { Account, AccountTestResult, AccountTestStep } from '../../../shared/types/account.js';
import { HoplightError, toErrorData } from '../errors.js';
import { checkServer } from '../posture/server-check.js';
import { checkServerSettings } from '../server-settings.js';
import { openVerifiedSession, type SessionFacts } from '../smtp/open-session.js';
import { DEFAULT_TIMEOUTS, authenticate, quit } from '../smtp/session-steps.js';
import { serverOf } from './account-fields.js';

/**
 * Tests an account without sending mail: connect, TLS (verified as for a send), AUTH with the password, QUIT;
 * and, beside it, the server's TLS posture (the server check).
 */
export async function testAccount(account: Account, password: string): Promise<AccountTestResult> {
  const server = serverOf(account);
  const trust = await checkServerSettings(server, password);
  const where = `${server.host}:${server.port}`;
  const steps: AccountTestStep[] = [];
  const timeouts = DEFAULT_TIMEOUTS;
  const posture = checkServer({ host: server.host, port: server.port, security: server.security, ...(trust.extraCaPem ? { extraCaPem: trust.extraCaPem } : {}) }).catch(() => undefined);
  const facts: SessionFacts = { timings: {} };
  let refusedCertificate: AccountTestResult['refusedCertificate'];
  try {
    const opened = await openVerifiedSession(server, trust, timeouts, facts, { secrets: [password] });
    const tls = opened.tls;
    steps.push({ step: 'connect', ok: true, detail: `connected to ${opened.remoteAddress ?? server.host}:${server.port}` });
    steps.push({ step: 'tls', ok: true, detail: `${server.security === 'implicit' ? 'implicit TLS' : 'STARTTLS'}, ${tls?.protocol ?? '?'}, ${tls?.cipher ?? '?'}; certificate ${tls?.trust.pinned ? 'pinned' : 'trusted'} for ${tls?.trust.checkedName ?? server.host}` });
    const mechanism = await authenticate(opened.channel, opened.capabilities, { user: account.user, password }, account.authMethod, timeouts, where);
    steps.push({ step: 'auth', ok: true, detail: `logged in as ${account.user} with ${mechanism}` });
  } catch (error) {
    const data = toErrorData(error);
    if (error instanceof HoplightError && error.code === 'ETLS' && error.refusedTls) refusedCertificate = error.refusedTls;
    // Connect and TLS are recorded together once the session is open; before that, what the opener reached tells.
    if (steps.length === 0 && facts.channel) steps.push({ step: 'connect', ok: true, detail: `connected to ${facts.remoteAddress ?? server.host}:${server.port}` });
    const failedStep: AccountTestStep['step'] = steps.length === 0 ? 'connect' : steps.length === 1 ? 'tls' : 'auth';
    steps.push({ step: failedStep, ok: false, detail: `${data.code}: ${data.message}` });
  } finally {
    if (facts.channel) quit(facts.channel);
  }
  const result = await posture;
  const serious = result ? result.findings.filter((f) => ['critical', 'high', 'medium'].includes(f.severity)).length : 0;
  // The server check trusts CAs only: with a pin it still reports the chain as untrusted, which is true, and said so.
  const pinNote = trust.pinnedFingerprint && result?.findings.some((f) => f.id === 'cert.untrusted') ? '; it reports the certificate as untrusted because no CA vouches for it: your pin is what trusts it' : '';
  steps.push(result ? { step: 'posture', ok: result.connection.status === 'completed', detail: `${serious === 0 ? 'no findings' : serious === 1 ? '1 finding' : `${serious} findings`} of medium severity or worse${pinNote}` } : { step: 'posture', ok: false, detail: 'the server check failed' });
  return { account: account.name, steps, ...(result ? { posture: result } : {}), ...(refusedCertificate ? { refusedCertificate } : {}), ok: steps.every((s) => s.ok) };
}
