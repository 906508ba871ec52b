import { createHash } from 'node:crypto';
import type { TlsFacts } from '../../../shared/types/report.js';
import type { TrustSettings } from './peer-verification.js';

/**
 * TLS sessions (tickets) for resumption, kept in this process's memory only: a session holds key material, so it is
 * never written to disk. Keyed by server and by everything the session was verified under (the name checked, the
 * extra CA, the pin), so a session is only ever resumed under the trust it was verified with.
 */
export class TlsSessions {
  private readonly sessions = new Map<string, { session?: Buffer; verified?: TlsFacts }>();

  constructor(private readonly max = 64) {}

  /** A session to offer: only one whose full handshake was verified (and what was verified then). */
  get(key: string): { session: Buffer; verified: TlsFacts } | undefined {
    const entry = this.sessions.get(key);
    return entry?.session && entry.verified ? { session: entry.session, verified: entry.verified } : undefined;
  }

  /** What a full handshake verified (the certificate, its chain and trust), for the sessions it leads to. */
  setVerified(key: string, verified: TlsFacts): void {
    this.put(key, { verified });
  }

  /** A ticket from the server, after a verified handshake under this key. */
  setSession(key: string, session: Buffer): void {
    this.put(key, { session });
  }

  delete(key: string): void {
    this.sessions.delete(key);
  }

  private put(key: string, part: { session?: Buffer; verified?: TlsFacts }): void {
    const entry = { ...this.sessions.get(key), ...part };
    this.sessions.delete(key);
    if (this.sessions.size >= this.max) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(key, entry);
  }
}

/** The key a server's sessions are kept under. */
export function sessionKey(host: string, port: number, trust: TrustSettings): string {
  const ca = trust.extraCaPem ? createHash('sha256').update(trust.extraCaPem).digest('hex') : '';
  return JSON.stringify([host.toLowerCase(), port, trust.checkedName, ca, trust.pinnedFingerprint ?? '']);
}
