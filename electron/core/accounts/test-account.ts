import type { Account, AccountTestResult, AccountTestStep } from '../../../shared/types/account.js';
import { HoplightError, toErrorData } from '../errors.js';
import { checkServer } from '../posture/server-check.js';
import { checkServerSettings } from '../server-settings.js';
import { SmtpChannel } from '../smtp/channel.js';
import { replyText } from '../smtp/reply.js';
import { DEFAULT_TIMEOUTS, authenticate, connectTcp, ehlo, ehloName, handshake, quit, readGreeting, startTls } from '../smtp/session-steps.js';
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
  let channel: SmtpChannel | undefined;
  try {
    const socket = await connectTcp(server.host, server.port, timeouts.connectMs);
    channel = new SmtpChannel(socket, performance.now(), [password]);
    steps.push({ step: 'connect', ok: true, detail: `connected to ${socket.remoteAddress ?? server.host}:${server.port}` });
    const name = ehloName(socket);
    let tlsDetail: string;
    if (server.security === 'implicit') {
      const secure = await handshake(channel.release(), trust, timeouts.tlsMs);
      channel.adopt(secure.socket);
      await readGreeting(channel, timeouts, where, true);
      tlsDetail = `${secure.facts.protocol}, ${secure.facts.cipher}; certificate ${secure.facts.trust.pinned ? 'pinned' : 'trusted'} for ${secure.facts.trust.checkedName}`;
    } else {
      await readGreeting(channel, timeouts, where, false);
      const before = await ehlo(channel, name, timeouts);
      const facts = await startTls(channel, before.capabilities, trust, timeouts, where);
      tlsDetail = `STARTTLS, ${facts.protocol}, ${facts.cipher}; certificate ${facts.trust.pinned ? 'pinned' : 'trusted'} for ${facts.trust.checkedName}`;
    }
    steps.push({ step: 'tls', ok: true, detail: tlsDetail });
    const after = await ehlo(channel, name, timeouts);
    if (after.reply.code !== 250) throw new HoplightError('ECONNECTION', `EHLO over TLS refused: ${replyText(after.reply)}`);
    const mechanism = await authenticate(channel, after.capabilities, { user: account.user, password }, account.authMethod, timeouts, where);
    steps.push({ step: 'auth', ok: true, detail: `logged in as ${account.user} with ${mechanism}` });
  } catch (error) {
    const data = toErrorData(error);
    const failedStep: AccountTestStep['step'] = steps.length === 0 ? 'connect' : steps.length === 1 ? 'tls' : 'auth';
    steps.push({ step: failedStep, ok: false, detail: `${data.code}: ${data.message}` });
  } finally {
    if (channel) quit(channel);
  }
  const result = await posture;
  steps.push(result ? { step: 'posture', ok: result.connection.status === 'completed', detail: `${result.findings.filter((f) => ['critical', 'high', 'medium'].includes(f.severity)).length} findings of medium severity or worse` } : { step: 'posture', ok: false, detail: 'the server check failed' });
  return { account: account.name, steps, ...(result ? { posture: result } : {}), ok: steps.every((s) => s.ok) };
}
