import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AccountsService } from '../../../electron/core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../../../electron/core/accounts/account-store.js';
import { MemoryCredentialStore } from '../../../electron/core/accounts/credential-store.js';
import { createHandlers } from '../../../electron/ipc/handler-table.js';
import { INVOKE_CHANNELS } from '../../../shared/ipc/contract.js';
import type { ErrorCode } from '../../../shared/types/errors.js';

// A renderer that has been taken over calls every channel with whatever it likes: the very handler table the app
// registers must answer each call with a Result (never throw, never crash main), refuse malformed payloads with
// EINPUT, keep Object.prototype clean, and write nothing outside the data folder. (Calls from a frame that is not
// the app's window are refused before the table: test/unit/electron-shell.test.ts.)
const parent = mkdtempSync(join(tmpdir(), 'hoplight-rogue-'));
const home = join(parent, 'data');
mkdirSync(home);
writeFileSync(join(parent, 'canary.txt'), 'untouched');
const handlers = createHandlers({
  dataDir: home,
  accounts: new AccountsService(() => new AccountStore(openAccountsFile(home)), new MemoryCredentialStore()),
  emit: () => undefined,
  mailbox: { autoRetry: false },
  // No system resolver: a forecast or check that a payload might trigger goes nowhere off this machine.
  forecast: { resolver: '127.0.0.1:9' },
});
afterAll(() => handlers.dispose());

const KNOWN_CODES: readonly ErrorCode[] = ['EINPUT', 'ECONFIG', 'ECONNECTION', 'ETIMEDOUT', 'ECANCELLED', 'EINTERNAL'];

/** Values a structured clone can carry from a renderer, prototypes' names as keys included. */
const hostile = fc.oneof(
  fc.anything({ maxDepth: 4, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, withObjectString: true }),
  fc.constantFrom<unknown>(
    JSON.parse('{"__proto__": {"polluted": true}}'),
    JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
    JSON.parse('{"id": "__proto__", "__proto__": {"id": "x"}}'),
    { id: '../../../../etc/passwd' },
    { id: '..' },
    { path: '/proc/self/mem' },
    { paths: ['/dev/zero', '/proc/self/mem', '../../x'] },
    { domain: 'a'.repeat(300) },
    { server: { host: '127.0.0.1', port: 1, security: 'starttls' }, message: { from: 'a@b.test', to: [], subject: '', text: '' }, security: 'default', password: 'x'.repeat(5000) },
  ),
);

async function call(channel: (typeof INVOKE_CHANNELS)[number], payload: unknown): Promise<void> {
  const result = (await handlers.table[channel](payload)) as { ok: boolean; error?: { code: ErrorCode; message: string } };
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) {
    expect(KNOWN_CODES).toContain(result.error?.code);
    expect(result.error?.code).not.toBe('EINTERNAL');
  }
}

describe('a rogue renderer', () => {
  it('every channel, called with generated hostile payloads, answers with a Result and never an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...INVOKE_CHANNELS), hostile, async (channel, payload) => {
        await call(channel, payload);
      }),
      { numRuns: 600 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'id')).toBe(false);
  }, 120_000);

  it('10 MB strings, deep nesting and huge arrays in every channel are refused with EINPUT, quickly', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    let deep: unknown = 'end';
    for (let i = 0; i < 10_000; i++) deep = { a: deep, id: deep };
    const payloads: unknown[] = [big, { id: big }, { path: big }, { domain: big }, { paths: Array.from({ length: 100_000 }, () => 'x') }, deep, [deep], { message: deep }];
    for (const channel of INVOKE_CHANNELS) {
      for (const payload of payloads) {
        const started = performance.now();
        const result = (await handlers.table[channel](payload)) as { ok: boolean; error?: { code: string } };
        expect(result.ok, `${channel}`).toBe(false);
        expect(result.error?.code).toBe('EINPUT');
        expect(performance.now() - started).toBeLessThan(2000);
      }
    }
  }, 120_000);

  it('wrongly typed fields are named in the error', async () => {
    const result = (await handlers.table['drafts:save']({ id: 5 })) as { ok: boolean; error?: { code: string; field?: string } };
    expect(result).toMatchObject({ ok: false, error: { code: 'EINPUT', field: 'id' } });
    const nested = (await handlers.table['outbox:retry']({ id: 'x', duplicateOk: 'yes' })) as { ok: boolean; error?: { code: string; field?: string } };
    expect(nested).toMatchObject({ ok: false, error: { code: 'EINPUT', field: 'duplicateOk' } });
  });

  it('nothing was written outside the data folder', () => {
    expect(readdirSync(parent).sort()).toEqual(['canary.txt', 'data']);
  });
});
