import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { MtaStsPolicy } from '../../../shared/types/posture.js';
import { readFileNoFollow, withFileLockSync, writeFileAtomic } from '../files/atomic-file.js';

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
const fileSchema = z.object({ version: z.literal(1), policies: z.record(z.string(), z.unknown()) });
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
  constructor(
    private readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  get(domain: string): CachedPolicy | undefined {
    const entry = policySchema.safeParse(this.read()[keyOf(domain)]);
    return entry.success && Date.parse(entry.data.expiresAt) > this.now() ? (entry.data as CachedPolicy) : undefined;
  }

  put(domain: string, policy: MtaStsPolicy): void {
    const stored: CachedPolicy = { policy, fetchedAt: new Date(this.now()).toISOString(), expiresAt: new Date(this.now() + policy.maxAge * 1000).toISOString() };
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    withFileLockSync(this.file, () => {
      const policies = this.read();
      policies[keyOf(domain)] = stored;
      const live = Object.entries(policies)
        .map(([k, v]) => [k, policySchema.safeParse(v)] as const)
        .filter(([, v]) => v.success && Date.parse(v.data.expiresAt) > this.now())
        .slice(-MAX_ENTRIES);
      writeFileAtomic(this.file, `${JSON.stringify({ version: 1, policies: Object.fromEntries(live.map(([k, v]) => [k, v.success ? v.data : undefined])) }, null, 2)}\n`);
    });
  }

  private read(): Record<string, unknown> {
    try {
      const raw = readFileNoFollow(this.file);
      if (!raw) return {};
      const parsed = fileSchema.safeParse(JSON.parse(raw.toString('utf8')));
      return parsed.success ? parsed.data.policies : {};
    } catch {
      return {};
    }
  }
}
