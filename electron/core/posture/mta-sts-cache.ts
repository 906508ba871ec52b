import { z } from 'zod';
import type { MtaStsPolicy } from '../../../shared/types/posture.js';
import { ExpiringRecords } from '../files/expiring-records.js';

/** A policy as a sender keeps it (RFC 8461 §3.3, §5.1): until its max_age runs out, counted from the fetch. */
export interface CachedPolicy {
  readonly policy: MtaStsPolicy;
  readonly fetchedAt: string;
  readonly expiresAt: string;
}

export interface MtaStsCache {
  get(domain: string): CachedPolicy | undefined;
  put(domain: string, policy: MtaStsPolicy): void;
}

const MAX_ENTRIES = 5000;
const policySchema = z.object({
  policy: z.object({ id: z.string().max(64), mode: z.enum(['enforce', 'testing', 'none']), maxAge: z.number().int().nonnegative(), mx: z.array(z.string().max(255)).max(100) }),
  fetchedAt: z.string().datetime(),
  expiresAt: z.string().datetime(),
});
const keyOf = (domain: string): string => domain.toLowerCase().replace(/\.$/, '');

/** In memory (tests, and where no data folder is at hand). */
export class MemoryMtaStsCache implements MtaStsCache {
  private readonly policies = new Map<string, CachedPolicy>();
  constructor(private readonly now: () => number = Date.now) {}
  get(domain: string): CachedPolicy | undefined {
    const entry = this.policies.get(keyOf(domain));
    return entry && Date.parse(entry.expiresAt) > this.now() ? entry : undefined;
  }
  put(domain: string, policy: MtaStsPolicy): void {
    this.policies.set(keyOf(domain), { policy, fetchedAt: new Date(this.now()).toISOString(), expiresAt: new Date(this.now() + policy.maxAge * 1000).toISOString() });
  }
}

/**
 * Policies kept in the data folder (`mta-sts-cache.json`, mode 600, atomic, under a lock), shared by the check
 * screen, the composer's forecasts and the CLI. An unreadable file is treated as empty: losing it costs a fetch.
 */
export class FileMtaStsCache implements MtaStsCache {
  private readonly records: ExpiringRecords<CachedPolicy>;

  constructor(file: string, private readonly now: () => number = Date.now) {
    this.records = new ExpiringRecords(file, (value) => {
      const parsed = policySchema.safeParse(value);
      return parsed.success ? (parsed.data as CachedPolicy) : undefined;
    }, MAX_ENTRIES, now);
  }

  get(domain: string): CachedPolicy | undefined {
    return this.records.get(keyOf(domain));
  }

  put(domain: string, policy: MtaStsPolicy): void {
    this.records.put(keyOf(domain), { policy, fetchedAt: new Date(this.now()).toISOString(), expiresAt: new Date(this.now() + policy.maxAge * 1000).toISOString() });
  }
}
