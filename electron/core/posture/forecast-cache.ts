import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Attempt, DomainCheckResult } from '../../../shared/types/posture.js';
import { readFileNoFollow, writeFileAtomic } from '../files/atomic-file.js';

/** How long a domain's check is reused: the composer asks at every keystroke that completes an address. */
export const DEFAULT_FORECAST_TTL_MS = 5 * 60_000;

/**
 * Domain checks by recipient domain, reused while fresh (at most `ttlMs`, never longer than the domain's MTA-STS
 * max_age) and shared while in flight, so typing never starts the same check twice. With a folder, fresh checks
 * are kept there too (one JSON file per domain, written atomically), so a restart does not check again.
 */
export class ForecastCache {
  private readonly entries = new Map<string, { readonly at: number; readonly promise: Promise<DomainCheckResult>; settled?: Attempt<DomainCheckResult>; ttl: number }>();

  constructor(
    private readonly check: (domain: string) => Promise<DomainCheckResult>,
    private readonly ttlMs = DEFAULT_FORECAST_TTL_MS,
    private readonly now: () => number = Date.now,
    private readonly folder?: string,
  ) {}

  /** The cache file of a domain: only for a plain A-label name, so no input can reach outside the folder. */
  private file(key: string): string | undefined {
    return this.folder && /^[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*$/.test(key) ? join(this.folder, `${key}.json`) : undefined;
  }

  /** A fresh check kept on disk, if any (a damaged or stale file is ignored, never trusted). */
  private fromDisk(key: string): { at: number; result: DomainCheckResult; ttl: number } | undefined {
    const file = this.file(key);
    if (!file) return undefined;
    try {
      const raw = readFileNoFollow(file);
      if (!raw) return undefined;
      const stored = JSON.parse(raw.toString('utf8')) as { at: number; ttl: number; result: DomainCheckResult };
      if (typeof stored.at !== 'number' || typeof stored.ttl !== 'number' || stored.result?.domain !== key) return undefined;
      return this.now() - stored.at < Math.min(stored.ttl, this.ttlMs) ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  /** The domain's check: cached when fresh, otherwise run (once, however many ask). */
  get(domain: string): Promise<DomainCheckResult> {
    const key = domain.trim().replace(/\.$/, '').toLowerCase();
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.at < cached.ttl) return cached.promise;
    const stored = this.fromDisk(key);
    if (stored) {
      const promise = Promise.resolve(stored.result);
      this.entries.set(key, { at: stored.at, promise, settled: { status: 'completed', result: stored.result }, ttl: stored.ttl });
      return promise;
    }
    const entry = { at: this.now(), promise: this.check(key), ttl: this.ttlMs } as { at: number; promise: Promise<DomainCheckResult>; settled?: Attempt<DomainCheckResult>; ttl: number };
    this.entries.set(key, entry);
    entry.promise.then(
      (result) => {
        entry.settled = { status: 'completed', result };
        const maxAge = result.mtaSts.status === 'completed' ? result.mtaSts.result.policy?.maxAge : undefined;
        if (maxAge !== undefined) entry.ttl = Math.min(entry.ttl, maxAge * 1000);
        const file = this.file(key);
        if (file && this.folder) {
          try {
            mkdirSync(this.folder, { recursive: true, mode: 0o700 });
            writeFileAtomic(file, JSON.stringify({ at: entry.at, ttl: entry.ttl, result }), 0o600);
          } catch {
            // The cache is an optimisation: a folder that cannot be written only means checking again later.
          }
        }
      },
      (error: Error) => {
        entry.settled = { status: 'error', reason: error.message };
        entry.ttl = 0; // a failed check is never reused
      },
    );
    return entry.promise;
  }

  /** What is known now about a domain, without starting a check. */
  peek(domain: string): Attempt<DomainCheckResult> | undefined {
    return this.entries.get(domain.toLowerCase())?.settled;
  }
}

/** The forecasts already known for a report's recipient domains (a send never waits for new ones). */
export function knownForecasts(forecasts: ForecastCache, recipients: readonly string[]): Record<string, Attempt<DomainCheckResult>> {
  return Object.fromEntries(
    recipients.flatMap((r) => {
      const domain = r.slice(r.lastIndexOf('@') + 1).toLowerCase();
      const check = forecasts.peek(domain);
      return check ? [[domain, check] as const] : [];
    }),
  );
}
