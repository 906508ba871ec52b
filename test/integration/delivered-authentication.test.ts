import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sealMessage } from 'mailauth';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeDeliveredCopy } from '../../electron/core/analyze/delivered-path.js';
import { createResolver } from '../../electron/core/dns/dns-client.js';
import type { DeliveredPath } from '../../shared/types/delivered.js';
import { dnsToolsInstalled, startDnsWorld, type DnsWorld } from '../helpers/dns-world.js';
import { freePort, peerAvailable } from '../helpers/peers.js';

// DKIM signatures and ARC seals made here with fresh keys, their public keys published by a real unbound on
// loopback: verification runs against real DNS answers, and "could not check" against a resolver that is not there.
const available = peerAvailable('unbound', dnsToolsInstalled(), 'apt-get install unbound bind9-utils, or run scripts/install-test-peers.sh');

const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
/** A DKIM key record in zone-file syntax, split in 200-character strings (a TXT string holds at most 255). */
const keyRecord = (name: string, publicKey: ReturnType<typeof keyPair>['publicKey']): string => {
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const parts = [`v=DKIM1; k=rsa; p=`, ...(p.match(/.{1,200}/g) ?? [])];
  return `${name} TXT ${parts.map((s) => `"${s}"`).join(' ')}`;
};

const body = (from: string) =>
  Buffer.from(
    [
      'Received: from relay.clinic.test (relay.clinic.test [192.0.2.7]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.net (Postfix) with ESMTPS id 9F8E7D; Thu, 3 Dec 2026 10:00:05 +0000',
      'Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=clinic.test; dkim=pass header.d=clinic.test (signature verified); dmarc=pass header.from=clinic.test',
      `From: Dr Ada <${from}>`,
      'To: patient@example.net',
      'Subject: Lab results',
      'Message-ID: <lab-1@clinic.test>',
      'Date: Thu, 3 Dec 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Your results are in.',
      '',
    ].join('\r\n'),
  );

describe.skipIf(!available)('a delivered copy’s DKIM and ARC, verified against keys in DNS', () => {
  let world: DnsWorld;
  const clinic = keyPair();
  const sealer = keyPair();
  const unpublished = keyPair();
  const dir = mkdtempSync(join(tmpdir(), 'hoplight-dkim-'));
  const verify = (raw: Buffer, port = world.port): Promise<DeliveredPath> => analyzeDeliveredCopy(raw, { resolver: createResolver({ host: '127.0.0.1', port }, 2000) });
  const sign = async (raw: Buffer, privateKey = clinic.privateKey, selector = 'sel1', signingDomain = 'clinic.test'): Promise<Buffer> => {
    const { signatures } = await dkimSign(raw, { signatureData: [{ signingDomain, selector, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, canonicalization: 'relaxed/relaxed' }] });
    return Buffer.concat([Buffer.from(signatures), raw]);
  };

  beforeAll(async () => {
    world = await startDnsWorld([
      { name: 'clinic.test', signed: true, records: [keyRecord('sel1._domainkey', clinic.publicKey)] },
      { name: 'relay.test', signed: false, records: [keyRecord('arc._domainkey', sealer.publicKey)] },
    ]);
  });
  afterAll(async () => {
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a valid signature passes, aligned with From, and DMARC is confirmed through it; SPF is never re-checked', async () => {
    const path = await verify(await sign(body('ada@clinic.test')));
    expect(path.verified?.dkim).toEqual([{ domain: 'clinic.test', selector: 'sel1', state: 'pass', aligned: true, detail: 'signature valid with the key published now' }]);
    expect(path.verified?.dmarc).toMatchObject({ state: 'pass', fromDomain: 'clinic.test' });
    expect(path.verified?.arc.state).toBe('none');
    expect(path.verified?.resolver).toBe(`127.0.0.1:${world.port}`);
    // What the server states stays apart from what was verified.
    expect(path.authentication[0]?.results.map((r) => `${r.method}=${r.result}`)).toEqual(['spf=pass', 'dkim=pass', 'dmarc=pass']);
  });

  it('a body changed after signing fails; a signature by another domain is not aligned and DMARC is not re-checked', async () => {
    const signed = (await sign(body('ada@clinic.test'))).toString('latin1').replace('Your results are in.', 'Your results are fine.');
    const tampered = await verify(Buffer.from(signed, 'latin1'));
    expect(tampered.verified?.dkim[0]).toMatchObject({ state: 'fail', detail: 'the body changed after it was signed' });
    expect(tampered.verified?.dmarc.state).toBe('not-rechecked');
    const other = await verify(await sign(body('ada@elsewhere.test')));
    expect(other.verified?.dkim[0]).toMatchObject({ domain: 'clinic.test', state: 'pass', aligned: false });
    expect(other.verified?.dmarc).toMatchObject({ state: 'not-rechecked', fromDomain: 'elsewhere.test' });
  });

  it('a signature by a key the domain does not publish, or checked with no resolver answering, is "could not check", never pass', async () => {
    const missing = await verify(await sign(body('ada@clinic.test'), unpublished.privateKey, 'gone'));
    expect(missing.verified?.dkim[0]).toMatchObject({ state: 'could-not-check', detail: 'the domain does not publish this key (any more)' });
    const forged = await verify(await sign(body('ada@clinic.test'), unpublished.privateKey, 'sel1'));
    expect(forged.verified?.dkim[0]).toMatchObject({ state: 'fail' });
    const dead = await verify(await sign(body('ada@clinic.test')), await freePort());
    expect(dead.verified?.dkim[0]?.state).toBe('could-not-check');
    expect(dead.verified?.dkim[0]?.detail).toMatch(/could not be looked up/);
    expect(dead.verified?.dmarc.state).toBe('not-rechecked');
  });

  it('an ARC chain sealed by a relay validates; a broken seal fails; an unreachable key is "could not check"', async () => {
    const signed = await sign(body('ada@clinic.test'));
    const seal = await sealMessage(signed, {
      signingDomain: 'relay.test',
      selector: 'arc',
      privateKey: sealer.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      authResults: 'mx.relay.test; dkim=pass header.d=clinic.test; spf=pass smtp.mailfrom=clinic.test',
      cv: 'none',
    });
    const sealed = Buffer.concat([seal, signed]);
    const path = await verify(sealed);
    expect(path.verified?.arc).toMatchObject({ state: 'pass', instances: 1 });
    expect(path.authentication.find((a) => a.field === 'ARC-Authentication-Results')).toMatchObject({ authservId: 'mx.relay.test', instance: 1 });
    const broken = Buffer.from(sealed.toString('latin1').replace(/(ARC-Seal:[^]*?b=)([A-Za-z0-9+/])/, (_m, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`), 'latin1');
    expect((await verify(broken)).verified?.arc.state).toBe('fail');
    const unreachable = await verify(sealed, await freePort());
    expect(unreachable.verified?.arc.state).toBe('could-not-check');
  });

  it('hoplight analyze verifies through --resolver, and --no-verify says it did not', async () => {
    const file = join(dir, 'signed.eml');
    writeFileSync(file, await sign(body('ada@clinic.test')));
    const root = resolve(__dirname, '..', '..');
    const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'hoplight.cjs'), 'analyze', file, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, HOPLIGHT_HOME: dir, NO_COLOR: '1' } });
    const json = run('--resolver', `127.0.0.1:${world.port}`, '--json');
    expect(json.status, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as DeliveredPath).verified?.dkim[0]?.state).toBe('pass');
    const text = run('--resolver', `127.0.0.1:${world.port}`);
    expect(text.stdout).toMatch(/DKIM: {2}d=clinic\.test s=sel1: pass, signature valid with the key published now \(aligned with From\)/);
    expect(text.stdout).toMatch(/SPF is not re-checked/);
    const offline = run('--no-verify', '--json');
    expect(offline.status).toBe(0);
    expect((JSON.parse(offline.stdout) as DeliveredPath).verified).toBeUndefined();
    expect(run('--no-verify').stdout).toMatch(/not verified \(--no-verify\)/);
    const both = run('--no-verify', '--resolver', '127.0.0.1');
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/resolver/);
  });
});
