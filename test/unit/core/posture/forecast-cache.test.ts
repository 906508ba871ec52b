import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ForecastCache } from '../../../../electron/core/posture/forecast-cache.js';
import type { DomainCheckResult } from '../../../../shared/types/posture.js';

const result = (domain: string, maxAge?: number): DomainCheckResult =>
  ({ domain, mtaSts: { status: 'completed', result: maxAge === undefined ? { record: false } : { record: true, policy: { id: '1', mode: 'enforce', maxAge, mx: [] } } } }) as unknown as DomainCheckResult;

describe('the forecast cache', () => {
  it('checks a domain once while fresh, shares the check in flight, and again once stale', async () => {
    let now = 1_000;
    const asked: string[] = [];
    const cache = new ForecastCache(async (d) => (asked.push(d), result(d)), 60_000, () => now);
    await Promise.all([cache.get('Example.org'), cache.get('example.org.')]);
    expect(asked).toEqual(['example.org']);
    now += 59_000;
    await cache.get('example.org');
    expect(asked).toHaveLength(1);
    now += 2_000;
    await cache.get('example.org');
    expect(asked).toHaveLength(2);
  });

  it('never keeps a check longer than the MTA-STS max_age, and never keeps a failed one', async () => {
    let now = 0;
    let calls = 0;
    const cache = new ForecastCache(async (d) => (calls++, result(d, 10)), 60_000, () => now);
    await cache.get('a.test');
    now += 11_000;
    await cache.get('a.test');
    expect(calls).toBe(2);
    const failing = new ForecastCache(async () => Promise.reject(new Error('SERVFAIL')), 60_000, () => now);
    await expect(failing.get('b.test')).rejects.toThrow('SERVFAIL');
    expect(failing.peek('b.test')).toEqual({ status: 'error', reason: 'SERVFAIL' });
  });

  it('keeps fresh checks in the data folder (mode 600) across restarts; a damaged file is ignored', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'hoplight-forecasts-')), 'forecasts');
    let calls = 0;
    const make = (): ForecastCache => new ForecastCache(async (d) => (calls++, result(d)), 60_000, () => 5_000, folder);
    await make().get('c.test');
    await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(folder)).toEqual(['c.test.json']);
    expect(statSync(join(folder, 'c.test.json')).mode & 0o777).toBe(0o600);
    const restarted = make();
    await restarted.get('c.test');
    expect(calls).toBe(1);
    expect(restarted.peek('c.test')?.status).toBe('completed');
    writeFileSync(join(folder, 'c.test.json'), '{not json');
    await make().get('c.test');
    expect(calls).toBe(2);
  });
});

describe('the forecast cache folder', () => {
  it('is never reached outside of by a crafted domain', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hoplight-forecasts-'));
    const folder = join(root, 'forecasts');
    const cache = new ForecastCache(async (d) => result(d), 60_000, () => 1, folder);
    await cache.get('../escape');
    await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(root)).toEqual([]);
  });
});
