import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountsService } from '../../../electron/core/accounts/accounts-service.js';
import { AccountStore, openAccountsFile } from '../../../electron/core/accounts/account-store.js';
import { MemoryCredentialStore } from '../../../electron/core/accounts/credential-store.js';
import { fromForSender, requestForDraft } from '../../../electron/core/mailbox/draft-request.js';
import { Mailbox } from '../../../electron/core/mailbox/mailbox.js';
import { buildHopModel } from '../../../electron/core/report/hop-model.js';
import type { Draft } from '../../../shared/types/draft.js';

// The data folder tampered with by another program (or an attacker with the user's rights): files replaced by
// links to files elsewhere, by folders, truncated or filled with junk, folders replaced by links. Hoplight never
// writes through a link or reads one as its own, sets a damaged file aside and says so, and loses no other message.
function world() {
  const parent = mkdtempSync(join(tmpdir(), 'hoplight-attack-'));
  const home = join(parent, 'data');
  mkdirSync(home);
  const outside = join(parent, 'outside');
  mkdirSync(outside);
  const accounts = new AccountsService(() => new AccountStore(openAccountsFile(home)), new MemoryCredentialStore());
  const open = (): Mailbox => new Mailbox({ dataDir: home, resolve: (d, typed) => requestForDraft(d, { accounts }, typed), fromFor: (s) => fromForSender(s, { accounts }), hopsFor: (r) => buildHopModel(r), onChange: () => undefined });
  const draft = (id: string): Omit<Draft, 'updatedAt'> => ({ id, sender: 'sandbox', securityChoice: 'require-tls', to: ['ann@example.net'], cc: [], bcc: [], subject: `Draft ${id}`, text: `Typed text of ${id}.\n`, attachments: [] });
  return { parent, home, outside, open, draft };
}

describe('the data folder under attack', () => {
  it('a draft’s sidecar replaced by a link to a file elsewhere, by a folder, by junk, or truncated: each set aside and reported, its target untouched, the other drafts intact', async () => {
    const { home, outside, open, draft } = world();
    const mailbox = open();
    for (const id of ['keep-1', 'link', 'folder', 'junk', 'torn', 'keep-2']) await mailbox.drafts.save(draft(id), 'me@example.org');
    const meta = join(home, 'mailbox', 'Drafts', 'meta');
    const target = join(outside, 'secret.json');
    writeFileSync(target, JSON.stringify({ id: 'link', subject: 'not Hoplight’s', to: [] }));
    rmSync(join(meta, 'link.json'));
    symlinkSync(target, join(meta, 'link.json'));
    rmSync(join(meta, 'folder.json'));
    mkdirSync(join(meta, 'folder.json'));
    writeFileSync(join(meta, 'junk.json'), Buffer.from([0xff, 0x00, 0x7b, 0x22]));
    writeFileSync(join(meta, 'torn.json'), readFileSync(join(meta, 'keep-1.json'), 'utf8').slice(0, 40));

    const listed = open().drafts.list();
    expect(listed.drafts.map((d) => d.id).sort()).toEqual(['keep-1', 'keep-2']);
    expect(listed.drafts.find((d) => d.id === 'keep-1')?.text).toBe('Typed text of keep-1.\n');
    const reported = listed.problems.map((p) => p.file.split('/').pop()).sort();
    expect(reported).toEqual(expect.arrayContaining(['junk.json', 'link.json', 'torn.json']));
    expect(listed.problems.find((p) => p.file.endsWith('link.json'))?.reason).toMatch(/symbolic link/);
    // The link's target was never read as a draft nor written; what was set aside is kept to look at.
    expect(JSON.parse(readFileSync(target, 'utf8'))).toMatchObject({ subject: 'not Hoplight’s' });
    expect(readdirSync(join(home, 'mailbox', 'Drafts', 'damaged')).length).toBeGreaterThanOrEqual(3);
    // Saving over a name that was a link writes a new file in the folder, never through the link.
    symlinkSync(target, join(meta, 'relinked.json'));
    await open().drafts.save(draft('relinked'), 'me@example.org');
    expect(JSON.parse(readFileSync(target, 'utf8'))).toMatchObject({ subject: 'not Hoplight’s' });
    expect(open().drafts.get('relinked')?.text).toBe('Typed text of relinked.\n');
  });

  it('a mailbox folder replaced by a link to a folder elsewhere is refused (ECONFIG naming it); nothing is written there', async () => {
    const { home, outside, open, draft } = world();
    await open().drafts.save(draft('first'), 'me@example.org');
    rmSync(join(home, 'mailbox', 'Outbox'), { recursive: true, force: true });
    symlinkSync(outside, join(home, 'mailbox', 'Outbox'));
    expect(() => open()).toThrow(/Outbox is a symbolic link/);
    rmSync(join(home, 'mailbox', 'Outbox'));
    mkdirSync(join(home, 'mailbox', 'Outbox'));
    symlinkSync(outside, join(home, 'mailbox', 'Outbox', 'cur'));
    expect(() => open()).toThrow(/cur is a symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('the accounts file truncated is set aside and named, kept as it was; the next start has none and can add one', async () => {
    const { home } = world();
    const store = (): AccountStore => new AccountStore(openAccountsFile(home));
    const accounts = new AccountsService(store, new MemoryCredentialStore());
    await accounts.add({ name: 'Work', fromAddress: 'me@example.org', host: 'smtp.example.org', port: 587, security: 'starttls', user: 'me', authMethod: 'auto', defaultSecurity: 'require-tls', passwordStorage: 'ask' }, undefined);
    const file = store().path;
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 30));
    expect(() => store().list()).toThrow(/is damaged .* It was moved to .*\.broken-/);
    const aside = readdirSync(join(file, '..')).filter((n) => n.includes('.broken-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(file, '..', aside[0] as string), 'utf8')).toHaveLength(30);
    // The next start has no accounts, and adding one works.
    expect(store().list()).toEqual([]);
    await accounts.add({ name: 'Again', fromAddress: 'me@example.org', host: 'smtp.example.org', port: 587, security: 'starttls', user: 'me', authMethod: 'auto', defaultSecurity: 'require-tls', passwordStorage: 'ask' }, undefined);
    expect(store().list().map((a) => a.name)).toEqual(['Again']);
  });
});
