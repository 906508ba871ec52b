import type { Attempt, DomainCheckResult } from '../../../shared/types/posture.js';

/** How long a domain's check is reused: the composer asks at every keystroke that completes an address. */
export const DEFAULT_FORECAST_TTL_MS = 5 * 60_000;

/**
 * Domain checks by recipient domain, reused while fresh (at most `ttlMs`, never longer than the domain's MTA-STS
 * max_age) and shared while in flight, so typing never starts the same check twice.
 */
export class ForecastCache {
  private readonly entries = new Map<string, { readonly at: number; readonly promise: Promise<DomainCheckResult>; settled?: Attempt<DomainCheckResult>; ttl: number }>();

  constructor(
    private readonly check: (domain: string) => Promise<DomainCheckResult>,
    private readonly ttlMs = DEFAULT_FORECAST_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The domain's check: cached when fresh, otherwise run (once, however many ask). */
  get(domain: string): Promise<DomainCheckResult> {
    const key = domain.trim().replace(/\.$/, '').toLowerCase();
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.at < cached.ttl) return cached.promise;
    const entry = { at: this.now(), promise: this.check(key), ttl: this.ttlMs } as { at: number; promise: Promise<DomainCheckResult>; settled?: Attempt<DomainCheckResult>; ttl: number };
    this.entries.set(key, entry);
    entry.promise.then(
      (result) => {
        entry.settled = { status: 'completed', result };
        const maxAge = result.mtaSts.status === 'completed' ? result.mtaSts.result.policy?.maxAge : undefined;
        if (maxAge !== undefined) entry.ttl = Math.min(entry.ttl, maxAge * 1000);
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
