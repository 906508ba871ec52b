import { ExpiringRecords } from '../files/expiring-records.js';
import { parseCapabilities, type Capabilities } from './capabilities.js';

/**
 * What a server said to EHLO last time, for early pipelining (PIPECONNECT, draft-harris-early-pipe; Exim's name):
 * a client that cached a server's EHLO responses may send EHLO (and STARTTLS, or after TLS its login and envelope)
 * before the server's reply, but only where that cached response advertised PIPECONNECT. The post-TLS response is
 * bound to the fingerprint of the certificate that was verified when it was seen.
 */
export interface EhloCacheEntry {
  /** The extension lines of the EHLO before STARTTLS (undefined for implicit TLS). */
  readonly beforeTls?: readonly string[];
  readonly afterTls: readonly string[];
  /** SHA-256 of the server certificate verified on the session where `afterTls` was read (Node's AB:CD form). */
  readonly fingerprintSha256: string;
  readonly storedAt: string;
  readonly expiresAt: string;
}

/** Where a cached EHLO applies: the server, its port and transport, our EHLO name, and the account's user. */
export interface EhloCacheKey {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'implicit';
  readonly clientName: string;
  readonly user?: string;
}

export interface EhloCache {
  get(key: EhloCacheKey): EhloCacheEntry | undefined;
  put(key: EhloCacheKey, entry: Omit<EhloCacheEntry, 'storedAt' | 'expiresAt'>): void;
  forget(key: EhloCacheKey): void;
}

/** How long a cached EHLO is used; servers change their extensions rarely, and a change is caught anyway. */
export const EHLO_CACHE_TTL_MS = 24 * 3600_000;
const MAX_ENTRIES = 500;

const keyOf = (key: EhloCacheKey): string => JSON.stringify([key.security, key.host.toLowerCase(), key.port, key.clientName, key.user ?? '']);

/** Whether EHLO lines advertise early pipelining. */
export function advertisesPipeconnect(lines: readonly string[] | undefined): boolean {
  return (lines ?? []).some((line) => /^(PIPECONNECT|X_PIPE_CONNECT)(\s|$)/i.test(line.trim()));
}

/** Capabilities from stored EHLO lines. */
export function capabilitiesOf(lines: readonly string[]): Capabilities {
  return parseCapabilities({ code: 250, lines: ['cached', ...lines] });
}

/** An in-memory cache (tests, and the fallback when none is configured). */
export class MemoryEhloCache implements EhloCache {
  private readonly entries = new Map<string, EhloCacheEntry>();
  constructor(private readonly now: () => number = Date.now) {}
  get(key: EhloCacheKey): EhloCacheEntry | undefined {
    const entry = this.entries.get(keyOf(key));
    return entry && Date.parse(entry.expiresAt) > this.now() ? entry : undefined;
  }
  put(key: EhloCacheKey, entry: Omit<EhloCacheEntry, 'storedAt' | 'expiresAt'>): void {
    this.entries.set(keyOf(key), { ...entry, storedAt: new Date(this.now()).toISOString(), expiresAt: new Date(this.now() + EHLO_CACHE_TTL_MS).toISOString() });
  }
  forget(key: EhloCacheKey): void {
    this.entries.delete(keyOf(key));
  }
}

/** EHLO lines as cached: at most 100, each at most 512 characters. */
function lines(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.length <= 100 && value.every((l) => typeof l === 'string' && l.length <= 512) ? [...(value as string[])] : undefined;
}

/** An ISO 8601 UTC time as toISOString writes it. */
function isoTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * One cached entry checked by hand (the send path loads no schema library): the known fields only, or undefined.
 */
export function parseEhloCacheEntry(value: unknown): EhloCacheEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const afterTls = lines(v.afterTls);
  const beforeTls = v.beforeTls === undefined ? undefined : lines(v.beforeTls);
  if (!afterTls || (v.beforeTls !== undefined && !beforeTls)) return undefined;
  if (typeof v.fingerprintSha256 !== 'string' || !/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/.test(v.fingerprintSha256)) return undefined;
  if (!isoTime(v.storedAt) || !isoTime(v.expiresAt)) return undefined;
  return { ...(beforeTls ? { beforeTls } : {}), afterTls, fingerprintSha256: v.fingerprintSha256, storedAt: v.storedAt, expiresAt: v.expiresAt };
}

/**
 * The cache as a file in the data folder (`ehlo-cache.json`, mode 600, written atomically under a lock). It holds
 * what servers advertise and certificate fingerprints, never a credential. An unreadable file is treated as empty
 * and replaced: losing it costs round trips, never security.
 */
export class FileEhloCache implements EhloCache {
  private readonly records: ExpiringRecords<EhloCacheEntry>;

  constructor(file: string, private readonly now: () => number = Date.now) {
    this.records = new ExpiringRecords(file, parseEhloCacheEntry, MAX_ENTRIES, now);
  }

  get(key: EhloCacheKey): EhloCacheEntry | undefined {
    return this.records.get(keyOf(key));
  }

  put(key: EhloCacheKey, entry: Omit<EhloCacheEntry, 'storedAt' | 'expiresAt'>): void {
    this.records.put(keyOf(key), { ...entry, storedAt: new Date(this.now()).toISOString(), expiresAt: new Date(this.now() + EHLO_CACHE_TTL_MS).toISOString() });
  }

  forget(key: EhloCacheKey): void {
    this.records.delete(keyOf(key));
  }
}
