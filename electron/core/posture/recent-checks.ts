import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DomainCheckResult, RecentChecks as RecentChecksList, ServerCheckResult, StoredCheck } from '../../../shared/types/posture.js';
import { readFileNoFollow, withFileLock, writeFileAtomic } from '../files/atomic-file.js';

/** How many checks are kept. */
export const RECENT_CHECKS_KEPT = 20;

// The results are Hoplight's own documents; what is checked here is the envelope, so a file from another
// version or a hand edit is read as far as it makes sense and a damaged one is set aside, never trusted blindly.
const storedSchema = z.object({
  id: z.string().min(1).max(64),
  kind: z.enum(['server', 'domain']),
  target: z.string().min(1).max(300),
  at: z.string().datetime(),
  result: z.record(z.string(), z.unknown()),
});
const fileSchema = z.object({ version: z.literal(1), checks: z.array(z.unknown()) });

/**
 * The check screen's recent checks, kept in the data folder (`checks/recent.json`, mode 600, written atomically)
 * so they survive a restart. They hold what the servers published, never a credential.
 */
export class RecentChecks {
  private readonly file: string;

  constructor(dataDir: string) {
    const dir = join(dataDir, 'checks');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, 'recent.json');
  }

  /** The kept checks, newest first; a damaged file is moved aside (`recent.json.damaged-…`) and said so. */
  list(): RecentChecksList {
    let raw: Buffer | undefined;
    try {
      raw = readFileNoFollow(this.file);
    } catch (error) {
      return { checks: [], problem: (error as Error).message };
    }
    if (raw === undefined) return { checks: [] };
    let parsed: z.infer<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(raw.toString('utf8')));
    } catch {
      const aside = `${this.file}.damaged-${Date.now()}`;
      renameSync(this.file, aside);
      return { checks: [], problem: `The list of recent checks could not be read; it was moved to ${aside}.` };
    }
    const checks = parsed.checks.flatMap((c) => {
      const entry = storedSchema.safeParse(c);
      return entry.success ? [entry.data as unknown as StoredCheck] : [];
    });
    const skipped = parsed.checks.length - checks.length;
    return { checks, ...(skipped > 0 ? { problem: `${skipped} recent check${skipped === 1 ? ' was' : 's were'} unreadable and left out.` } : {}) };
  }

  /** One kept check by id. */
  get(id: string): StoredCheck | undefined {
    return this.list().checks.find((c) => c.id === id);
  }

  /** Keeps a finished check (the oldest beyond RECENT_CHECKS_KEPT go). */
  async add(check: { kind: 'server'; target: string; result: ServerCheckResult } | { kind: 'domain'; target: string; result: DomainCheckResult }): Promise<StoredCheck> {
    const stored = { id: randomUUID(), at: new Date().toISOString(), ...check } as StoredCheck;
    await withFileLock(this.file, () => this.write([stored, ...this.list().checks].slice(0, RECENT_CHECKS_KEPT)));
    return stored;
  }

  /** Forgets one check, or all of them. */
  async forget(id?: string): Promise<void> {
    await withFileLock(this.file, () => this.write(id === undefined ? [] : this.list().checks.filter((c) => c.id !== id)));
  }

  private write(checks: readonly StoredCheck[]): void {
    writeFileAtomic(this.file, `${JSON.stringify({ version: 1, checks }, null, 2)}\n`);
  }
}
