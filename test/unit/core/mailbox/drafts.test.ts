import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { Drafts } from '../../../../electron/core/mailbox/drafts.js';
import type { Draft } from '../../../../shared/types/draft.js';

const draft = (id: string, patch: Partial<Draft> = {}): Omit<Draft, 'updatedAt'> => ({
  id,
  sender: 'sandbox',
  securityChoice: 'require-tls',
  to: ['Ann <ann@example.org>', 'not an address'],
  cc: [],
  bcc: ['secret@example.org'],
  subject: 'Grüße, draft',
  text: 'Half-written text…\n',
  attachments: [{ path: '/tmp/scan.pdf', name: 'scan.pdf', size: 10 }],
  ...patch,
});

describe('the Drafts folder', () => {
  it('keeps each draft as an RFC 5322 file in a Maildir (readable by mailparser) and its sidecar as typed', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hoplight-drafts-'));
    const drafts = new Drafts(home);
    await drafts.save(draft('d1'), 'You <you@sandbox.hoplight.test>');
    const { drafts: listed, problems } = drafts.list();
    expect(problems).toEqual([]);
    expect(listed).toEqual([{ ...draft('d1'), updatedAt: expect.any(String) }]);
    expect(readdirSync(join(home, 'mailbox', 'Drafts', 'cur'))).toEqual(['d1.eml']);
    const parsed = await simpleParser(readFileSync(join(home, 'mailbox', 'Drafts', 'cur', 'd1.eml')));
    expect(parsed.subject).toBe('Grüße, draft');
    expect(parsed.text).toBe('Half-written text…\n');
    expect(parsed.headers.get('x-hoplight-security-choice')).toBe('require-tls');
    expect(JSON.stringify(parsed.bcc)).toContain('secret@example.org');
  });

  it('a crash between write and rename leaves the old version whole; the torn temp file is never read', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hoplight-drafts-'));
    const drafts = new Drafts(home);
    await drafts.save(draft('d2', { text: 'version one' }), 'a@b.test');
    // What a crash mid-save leaves behind: a partial file in tmp/, never renamed into place.
    writeFileSync(join(drafts.dir, 'tmp', '.d2.json.999.abc.tmp'), '{"format":1,"draft":{"id":"d2","te');
    writeFileSync(join(drafts.dir, 'tmp', '.d2.eml.999.abc.tmp'), 'Subject: torn');
    const { drafts: listed } = new Drafts(home).list();
    expect(listed.map((d) => d.text)).toEqual(['version one']);
    expect(readFileSync(join(drafts.dir, 'cur', 'd2.eml'), 'utf8')).not.toContain('torn');
  });

  it('a damaged sidecar is moved aside with its message and reported, never dropped', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hoplight-drafts-'));
    const drafts = new Drafts(home);
    await drafts.save(draft('good'), 'a@b.test');
    await drafts.save(draft('bad'), 'a@b.test');
    writeFileSync(join(drafts.dir, 'meta', 'bad.json'), '{"format":1,"draft":');
    const { drafts: listed, problems } = drafts.list();
    expect(listed.map((d) => d.id)).toEqual(['good']);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.movedTo).toMatch(/damaged\/bad\..*\.json$/);
    expect(readdirSync(join(drafts.dir, 'damaged')).sort()).toEqual([expect.stringMatching(/^bad\..*\.eml$/), expect.stringMatching(/^bad\..*\.json$/)]);
    drafts.remove('good');
    expect(existsSync(join(drafts.dir, 'cur', 'good.eml'))).toBe(false);
    expect(drafts.list().drafts).toEqual([]);
  });

  it('refuses ids that could name a file outside the folder', async () => {
    const drafts = new Drafts(mkdtempSync(join(tmpdir(), 'hoplight-drafts-')));
    await expect(drafts.save(draft('../escape'), 'a@b.test')).rejects.toMatchObject({ code: 'EINPUT' });
    expect(() => drafts.remove('../x')).toThrow(/invalid mailbox id/);
  });
});
