import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { readFileNoFollow, withFileLockSync, writeFileAtomic } from './atomic-file.js';

/** Checks one stored record: the record as the program uses it (unknown fields left out), or undefined. */
export type RecordParser<T> = (value: unknown) => T | undefined;

/** The file's entries, when it has the shape this class writes (version 1, an object of records). */
function entriesOf(file: unknown): Record<string, unknown> {
  if (typeof file !== 'object' || file === null || (file as { version?: unknown }).version !== 1) return {};
  const entries = (file as { entries?: unknown }).entries;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return {};
  return Object.assign(Object.create(null) as Record<string, unknown>, entries);
}

/**
 * A small cache in the data folder: records by key, each valid until its `expiresAt`, in one JSON file (mode 600,
 * written atomically under a lock, so the app and the CLI can share it). A record that `parse` refuses is
 * ignored, and an unreadable file is treated as empty and replaced: losing a cache costs work, never correctness.
 * The newest `max` records are kept; expired ones go at each write.
 */
export class ExpiringRecords<T extends { readonly expiresAt: string }> {
  constructor(
    private readonly file: string,
    private readonly parse: RecordParser<T>,
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): T | undefined {
    const record = this.parse(this.read()[key]);
    return record && Date.parse(record.expiresAt) > this.now() ? record : undefined;
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
      return entriesOf(JSON.parse(raw.toString('utf8')));
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
          const record = this.parse(v);
          return record && Date.parse(record.expiresAt) > this.now() ? [[k, record] as const] : [];
        })
        .slice(-this.max);
      writeFileAtomic(this.file, `${JSON.stringify({ version: 1, entries: Object.fromEntries(live) }, null, 2)}\n`);
    });
  }
}
