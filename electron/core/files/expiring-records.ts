import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { readFileNoFollow, withFileLockSync, writeFileAtomic } from './atomic-file.js';

const fileSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), z.unknown()) });

/**
 * A small cache in the data folder: records by key, each valid until its `expiresAt`, in one JSON file (mode 600,
 * written atomically under a lock, so the app and the CLI can share it). A record that does not match `schema` is
 * ignored, and an unreadable file is treated as empty and replaced: losing a cache costs work, never correctness.
 * The newest `max` records are kept; expired ones go at each write.
 */
export class ExpiringRecords<T extends { readonly expiresAt: string }> {
  constructor(
    private readonly file: string,
    private readonly schema: z.ZodType<T>,
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): T | undefined {
    const record = this.schema.safeParse(this.read()[key]);
    return record.success && Date.parse(record.data.expiresAt) > this.now() ? record.data : undefined;
  }

  put(key: string, value: T): void {
    this.update((entries) => {
      delete entries[key]; // re-added last: the newest
      entries[key] = value;
    });
  }

  delete(key: string): void {
    this.update((entries) => {
      delete entries[key];
    });
  }

  private read(): Record<string, unknown> {
    try {
      const raw = readFileNoFollow(this.file);
      if (!raw) return {};
      const parsed = fileSchema.safeParse(JSON.parse(raw.toString('utf8')));
      return parsed.success ? parsed.data.entries : {};
    } catch {
      return {};
    }
  }

  private update(change: (entries: Record<string, unknown>) => void): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    withFileLockSync(this.file, () => {
      const entries = this.read();
      change(entries);
      const live = Object.entries(entries)
        .flatMap(([k, v]) => {
          const record = this.schema.safeParse(v);
          return record.success && Date.parse(record.data.expiresAt) > this.now() ? [[k, record.data] as const] : [];
        })
        .slice(-this.max);
      writeFileAtomic(this.file, `${JSON.stringify({ version: 1, entries: Object.fromEntries(live) }, null, 2)}\n`);
    });
  }
}
