import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExpiringRecords } from '../../../../electron/core/files/expiring-records.js';
import { FileEhloCache, parseEhloCacheEntry } from '../../../../electron/core/smtp/ehlo-cache.js';
import { FileMtaStsCache } from '../../../../electron/core/posture/mta-sts-cache.js';

const schema = z.object({ value: z.number(), expiresAt: z.string().datetime() });
const parse = (value: unknown): z.infer<typeof schema> | undefined => {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

describe('the data-folder caches', () => {
  it('keep records until they expire, drop expired and invalid ones at each write, keep the newest, and survive a damaged file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hoplight-records-')), 'cache.json');
    let now = Date.parse('2026-12-03T10:00:00Z');
    const records = new ExpiringRecords(file, parse, 3, () => now);
    const until = (ms: number): string => new Date(now + ms).toISOString();
    records.put('a', { value: 1, expiresAt: until(1000) });
    records.put('b', { value: 2, expiresAt: until(60_000) });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(records.get('a')?.value).toBe(1);
    now += 2000;
    expect(records.get('a')).toBeUndefined(); // expired
    records.put('c', { value: 3, expiresAt: until(60_000) });
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { entries: object }).entries)).toEqual(['b', 'c']);
    records.put('d', { value: 4, expiresAt: until(60_000) });
    records.put('e', { value: 5, expiresAt: until(60_000) });
    expect([records.get('b'), records.get('e')?.value]).toEqual([undefined, 5]); // the oldest beyond 3 went
    records.delete('e');
    expect(records.get('e')).toBeUndefined();
    writeFileSync(file, '{ not json');
    expect(records.get('c')).toBeUndefined();
    records.put('f', { value: 6, expiresAt: until(60_000) });
    expect(records.get('f')?.value).toBe(6);
  });

  it('the EHLO and MTA-STS caches read back what they stored, across instances (the app and the CLI share the files)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoplight-caches-'));
    const key = { host: 'mx.example.org', port: 587, security: 'starttls' as const, clientName: '[192.0.2.1]', user: 'me' };
    new FileEhloCache(join(dir, 'ehlo-cache.json')).put(key, { beforeTls: ['PIPECONNECT', 'STARTTLS'], afterTls: ['PIPECONNECT', 'AUTH PLAIN'], fingerprintSha256: Array.from({ length: 32 }, () => 'AB').join(':') });
    expect(new FileEhloCache(join(dir, 'ehlo-cache.json')).get(key)?.afterTls).toEqual(['PIPECONNECT', 'AUTH PLAIN']);
    new FileMtaStsCache(join(dir, 'mta-sts-cache.json')).put('Example.ORG', { id: '1', mode: 'enforce', maxAge: 86400, mx: ['mx.example.org'] });
    expect(new FileMtaStsCache(join(dir, 'mta-sts-cache.json')).get('example.org.')?.policy.mode).toBe('enforce');
  });

  it('an EHLO cache entry is checked field by field: unknown fields dropped, anything out of shape refused', () => {
    const good = { afterTls: ['PIPELINING', 'SIZE 1000'], fingerprintSha256: Array.from({ length: 32 }, () => 'AB').join(':'), storedAt: '2026-12-03T10:00:00.000Z', expiresAt: '2026-12-04T10:00:00.000Z' };
    expect(parseEhloCacheEntry({ ...good, password: 'x' })).toEqual(good);
    expect(parseEhloCacheEntry({ ...good, beforeTls: ['STARTTLS'] })).toEqual({ ...good, beforeTls: ['STARTTLS'] });
    for (const bad of [
      null,
      'text',
      { ...good, afterTls: undefined },
      { ...good, afterTls: ['x'.repeat(513)] },
      { ...good, afterTls: Array.from({ length: 101 }, () => 'X') },
      { ...good, beforeTls: [1] },
      { ...good, fingerprintSha256: 'ab:cd' },
      { ...good, storedAt: 'yesterday' },
      { ...good, expiresAt: '2026-13-45T99:00:00Z' },
    ]) expect(parseEhloCacheEntry(bad), JSON.stringify(bad)).toBeUndefined();
  });
});
