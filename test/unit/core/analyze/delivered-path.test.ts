import { describe, expect, it } from 'vitest';
import { analyzeDelivered } from '../../../../electron/core/analyze/delivered-path.js';

const message = (received: string[], extra: string[] = []): Buffer => Buffer.from([...received.map((r) => `Received: ${r}`), ...extra, 'From: a@example.org', 'To: b@example.net', 'Subject: path', 'Message-ID: <m1@example.org>', '', 'body', ''].join('\r\n'));
const hop = (received: string) => analyzeDelivered(message([received])).hops[0]!;

// Real-format examples of each MTA's clause (from their documented formats and copies the test peers deliver).
describe('what each hop states', () => {
  it('Postfix: TLS version and cipher, authenticated submission', () => {
    const h = hop('from client.example.org (client.example.org [192.0.2.10])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n\t(No client certificate requested)\r\n\t(Authenticated sender: alice)\r\n\tby mx.example.net (Postfix) with ESMTPSA id 4AB12C3D4E\r\n\tfor <b@example.net>; Thu, 3 Dec 2026 10:00:00 +0000 (UTC)');
    expect(h).toMatchObject({ from: 'client.example.org', fromAddress: '192.0.2.10', by: 'mx.example.net', protocol: 'ESMTPSA', tls: true, version: '1.3', cipher: 'TLS_AES_256_GCM_SHA384', authenticated: true, local: false, requiretls: false, certVerified: null, date: '2026-12-03T10:00:00.000Z' });
  });

  it('Exim: "with esmtps (TLS1.3) tls CIPHER", the older "(TLS1.2:CIPHER:256)", and esmtpS/esmtpSA for REQUIRETLS', () => {
    expect(hop('from [192.0.2.20] (helo=client.example.org) by exim.example.net with esmtpsa  (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@example.org>) id 1kX-000Abc-2D for b@example.net; Thu, 03 Dec 2026 10:00:00 +0000')).toMatchObject({ protocol: 'esmtpsa', tls: true, version: '1.3', cipher: 'TLS_AES_256_GCM_SHA384', authenticated: true, requiretls: false });
    expect(hop('from mail.example.org ([192.0.2.21]) by exim.example.net with esmtps (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256) (Exim 4.89) id 1a-2b-3c; Thu, 03 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: true, version: '1.2', cipher: 'ECDHE_RSA_AES_256_GCM_SHA384' });
    expect(hop('from mail.example.org ([192.0.2.22]) by exim.example.net with esmtpS (TLS1.3) tls TLS_AES_128_GCM_SHA256 (Exim 4.92) id 1a; Thu, 03 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: true, requiretls: true });
  });

  it('Gmail and Yahoo "(version=TLS1_3 cipher=… bits=…)"; Microsoft 365, its Frontend Transport and mapi hops are local', () => {
    expect(hop('from mail-ej1-f41.google.com (mail-ej1-f41.google.com. [209.85.218.41]) by mx.example.net with ESMTPS id x7si123 for <b@example.net> (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128); Thu, 03 Dec 2026 10:00:00 -0800 (PST)')).toMatchObject({ tls: true, version: '1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    expect(hop('from AM6PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:20b:1::1) by AM6PR01MB5678.eurprd01.prod.exchangelabs.com with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: true, version: '1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' });
    expect(hop('from AM6PR01MB1234.eurprd01.prod.exchangelabs.com ([fe80::1]) by AM6PR01MB1234.eurprd01.prod.exchangelabs.com ([fe80::1%4]) with mapi id 15.20.1; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ local: true, tls: null });
    expect(hop('from DB8P191CA0001.EURP191.PROD.OUTLOOK.COM (2603:10a6:10:1::1) by AM6PR01MB1234.outlook.office365.com (2603:10a6:20b::1) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.2 via Frontend Transport; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ local: true });
  });

  it('Stalwart, OpenSMTPD (peer verified or not), mox (REQUIRETLS), sendmail (verify=…), Haraka', () => {
    expect(hop('from client.example.org (client.example.org [192.0.2.30]) (using TLSv1.3 with cipher TLS13_AES_256_GCM_SHA384) by mail.example.net (Stalwart SMTP) with ESMTPS id 1234; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: true, version: '1.3', cipher: 'TLS13_AES_256_GCM_SHA384' });
    expect(hop('from mail.example.org (mail.example.org [192.0.2.31]) by smtpd.example.net (OpenSMTPD) with ESMTPS id 5d6e7f8a (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO); Thu, 3 Dec 2026 10:00:00 +0000 (UTC)')).toMatchObject({ tls: true, version: '1.3', certVerified: false });
    expect(hop('from mail.example.org (mail.example.org [192.0.2.31]) by smtpd.example.net (OpenSMTPD) with ESMTPS id 5d6e7f8b (TLSv1.2:ECDHE-RSA-AES256-GCM-SHA384:256:YES); Thu, 3 Dec 2026 10:00:00 +0000 (UTC)')).toMatchObject({ tls: true, version: '1.2', certVerified: true });
    expect(hop('from mail.example.org ([192.0.2.32]) by mox.example.net ([192.0.2.33]) via tcp with ESMTPS id abc (TLS1.3 TLS_AES_128_GCM_SHA256) (requiretls) for <b@example.net>; 3 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: true, version: '1.3', requiretls: true });
    expect(hop('from mail.example.org (mail.example.org [192.0.2.34]) by sm.example.net (8.17.1/8.17.1) with ESMTPS id 2B3AaBcD (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT) for <b@example.net>; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: true, version: '1.3', certVerified: false });
    expect(hop('from mail.example.org (mail.example.org [192.0.2.35]) by sm.example.net (8.17.1/8.17.1) with ESMTPS id 2B3AaBcE (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=OK); Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ certVerified: true });
    expect(hop('from mail.example.org (mail.example.org [192.0.2.36]) by haraka.example.net (Haraka/3.0.2) with ESMTPS id 1A2B3C envelope-from <a@example.org> tls TLS_AES_256_GCM_SHA384; Thu, 03 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: true, cipher: 'TLS_AES_256_GCM_SHA384' });
  });

  it('the with types alone: ESMTPS is TLS, ESMTP is not, a hop that says nothing is null (never false), LMTP is local', () => {
    const esmtps = hop('from a.example.org ([192.0.2.40]) by b.example.net with ESMTPS id 1; Thu, 3 Dec 2026 10:00:00 +0000');
    expect(esmtps.tls).toBe(true);
    expect(esmtps.version).toBeUndefined(); // the with type says TLS, not which version
    expect(hop('from a.example.org ([192.0.2.41]) by b.example.net with ESMTP id 2; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: false });
    expect(hop('from a.example.org ([192.0.2.42]) by b.example.net id 3; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: null });
    expect(hop('from mx.example.net by imap.example.net with LMTP id 4; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ local: true, tls: null });
    expect(hop('from localhost (localhost [127.0.0.1]) by mx.example.net (Postfix) with ESMTP id 5; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ local: true, tls: null });
    expect(hop('from a.example.org ([192.0.2.43]) by b.example.net with UTF8SMTPSA id 6; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ tls: true, authenticated: true });
  });
});

describe('hops inside one host or provider are local, never cleartext', () => {
  it('Gmail’s internal "by 2002:… with SMTP", a pickup with no from clause, one organisation’s own hops, Microsoft’s domains as one', () => {
    expect(hop('by 2002:a05:6a10:8e0c:b0:5e5:7a6f:1c2d with SMTP id x4csp123456pxu; Thu, 3 Dec 2026 02:00:00 -0800 (PST)')).toMatchObject({ local: true, tls: null });
    expect(hop('by mx.example.net (Postfix, from userid 1000) id 4AB12C3D4E; Thu, 3 Dec 2026 10:00:00 +0000 (UTC)')).toMatchObject({ local: true, tls: null });
    expect(hop('from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id a1sor; Thu, 03 Dec 2026 02:00:00 -0800 (PST)')).toMatchObject({ local: true });
    expect(hop('from out.provider.test (out.provider.test [192.0.2.8]) by in.provider.test with ESMTP id 2; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ local: true, tls: null });
    expect(hop('from DB8PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:10:1::1) by AM6PR01MB1234.outlook.office365.com with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.2; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ local: true, tls: true });
    // Into Microsoft from outside: a real hop, not local.
    expect(hop('from mail.example.org (192.0.2.9) by BN8NAM12FT011.mail.protection.outlook.com (10.13.182.1) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.3; Thu, 3 Dec 2026 10:00:00 +0000')).toMatchObject({ local: false, tls: true });
  });

  it('a HELO name claiming the receiver’s organisation does not make a hop local when the reverse-DNS name says otherwise', () => {
    expect(hop('from mx.google.com (evil.example [198.51.100.7]) by mx.google.com with ESMTP id z; Thu, 03 Dec 2026 02:00:00 -0800')).toMatchObject({ local: false, tls: false });
    expect(hop('from relay.bank.test ([203.0.113.5]) by mx.bank.test with ESMTP id 0; Thu, 3 Dec 2026 09:59:00 +0000')).toMatchObject({ local: false, tls: false });
  });
});

describe('the path', () => {
  it('oldest first, with delays; a forged header below the real ones (time going backwards) is flagged, never trusted', () => {
    const path = analyzeDelivered(
      message([
        'from relay.example.net ([192.0.2.2]) by mx.example.com with ESMTPS id c; Thu, 3 Dec 2026 10:00:30 +0000',
        'from client ([192.0.2.1]) by relay.example.net with ESMTPSA id b; Thu, 3 Dec 2026 10:00:10 +0000',
        'from evil.example ([198.51.100.1]) by relay.example.net with ESMTPS id a; Wed, 2 Dec 2026 08:00:00 +0000',
      ]),
    );
    expect(path.hops.map((h) => h.by)).toEqual(['relay.example.net', 'relay.example.net', 'mx.example.com']);
    expect(path.hops[1]?.delaySeconds).toBeGreaterThan(0);
    expect(path.hops[2]?.delaySeconds).toBe(20);
    // The forged one sits at the bottom: the next hop's time is far after it, which is not a problem for that hop,
    // but a header whose own time is before the hop below it is.
    const backwards = analyzeDelivered(message(['from b ([192.0.2.5]) by c.example with ESMTPS id 2; Thu, 3 Dec 2026 09:00:00 +0000', 'from a ([192.0.2.4]) by b.example with ESMTPS id 1; Thu, 3 Dec 2026 10:00:00 +0000']));
    expect(backwards.hops[1]?.problems.join(' ')).toMatch(/before the hop below it/);
  });

  it('Postfix 3.11 Require-TLS-ESMTP, TLS-Required: No, Authentication-Results; folded headers', () => {
    const path = analyzeDelivered(message(['from a\r\n  ([192.0.2.4])\r\n  by b.example with\r\n  ESMTPS id 1; Thu, 3 Dec 2026 10:00:00 +0000'], ['Require-TLS-ESMTP: yes', 'TLS-Required: No', 'Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org']));
    expect(path).toMatchObject({ requireTlsEsmtp: true, tlsRequiredNo: true, messageId: '<m1@example.org>' });
    expect(path.hops[0]).toMatchObject({ by: 'b.example', protocol: 'ESMTPS', tls: true });
    expect(path.authentication[0]).toMatchObject({ field: 'Authentication-Results', authservId: 'mx.example.net', above: -1, results: [{ method: 'spf', result: 'pass', properties: { 'smtp.mailfrom': 'example.org' } }, { method: 'dkim', result: 'pass', properties: { 'header.d': 'example.org' } }] });
  });

  it('200 Received headers are read in bounded time; binary junk does not crash; something that is not a message is EINPUT', () => {
    const many = Array.from({ length: 200 }, (_, i) => `from h${i} ([192.0.2.${i % 250}]) by h${i + 1} with ESMTPS id ${i}; Thu, 3 Dec 2026 10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0000`);
    const started = performance.now();
    expect(analyzeDelivered(message(many)).hops).toHaveLength(200);
    expect(performance.now() - started).toBeLessThan(2000);
    const junk = Buffer.concat([Buffer.from('Received: '), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 37) % 256)), Buffer.from('\r\nFrom: a@b\r\n\r\n')]);
    expect(() => analyzeDelivered(junk)).not.toThrow();
    expect(() => analyzeDelivered(Buffer.from('\x00\x01\x02 not a message'))).toThrow(/not an e-mail message/);
  });
});

describe("the sandbox's own trace field", () => {
  it('reads back as what the session was: TLS version and cipher, authenticated, REQUIRETLS', async () => {
    const { traceField } = await import('../../../../electron/core/sandbox/sandbox.js');
    const field = traceField({
      id: 'abc123',
      receivedAt: '2026-12-03T10:00:00.000Z',
      envelope: { mailFrom: 'a@example.org', mailFromParameters: { REQUIRETLS: true }, rcptTo: ['b@example.net'], requireTls: true },
      session: { port: 10587, secure: true, tlsProtocol: 'TLSv1.3', tlsCipher: 'TLS_AES_256_GCM_SHA384', authenticatedUser: 'sandbox', clientHostname: '[127.0.0.1]' },
      raw: Buffer.alloc(0),
    });
    const path = analyzeDelivered(Buffer.from(`${field}From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n`));
    expect(path.hops).toHaveLength(1);
    expect(path.hops[0]).toMatchObject({ by: 'hoplight-sandbox.localhost', protocol: 'ESMTPSA', tls: true, version: '1.3', cipher: 'TLS_AES_256_GCM_SHA384', authenticated: true, requiretls: true, date: '2026-12-03T10:00:00.000Z' });
  });
});

describe('Authentication-Results as stated (RFC 8601, RFC 8617)', () => {
  it('reads the authserv-id, each method=result with its reason and properties; comments and quoted strings are not results', async () => {
    const { parseAuthenticationResults } = await import('../../../../electron/core/analyze/authentication-results.js');
    expect(parseAuthenticationResults('mx.google.com 1; dkim=pass header.i=@clinic.test header.s=sel1 header.b="ab;c" (comment; dkim=fail);\r\n spf=softfail (google.com: domain of transitioning a@b does not designate 192.0.2.1 as permitted sender) smtp.mailfrom=a@b;\r\n dmarc=fail reason="p=reject; sp=none" header.from=clinic.test', false)).toEqual({
      authservId: 'mx.google.com',
      results: [
        { method: 'dkim', result: 'pass', properties: { 'header.i': '@clinic.test', 'header.s': 'sel1', 'header.b': 'ab;c' } },
        { method: 'spf', result: 'softfail', properties: { 'smtp.mailfrom': 'a@b' } },
        { method: 'dmarc', result: 'fail', reason: 'p=reject; sp=none', properties: { 'header.from': 'clinic.test' } },
      ],
    });
    expect(parseAuthenticationResults('i=2; relay.test; arc=pass (i=1 spf=pass); dkim/1=pass header.d=a.test', true)).toMatchObject({ authservId: 'relay.test', instance: 2, results: [{ method: 'arc', result: 'pass' }, { method: 'dkim', result: 'pass', properties: { 'header.d': 'a.test' } }] });
    expect(parseAuthenticationResults('mx.example.net; none', false)).toEqual({ authservId: 'mx.example.net', results: [] });
    expect(parseAuthenticationResults('mx.example.net; dkim=pass (unclosed', false).problem).toMatch(/comment is not closed/);
    expect(parseAuthenticationResults('spf=pass smtp.mailfrom=a', false).problem).toMatch(/no authserv-id/);
    expect(parseAuthenticationResults('mx; ???; dkim=pass', false)).toMatchObject({ results: [{ method: 'dkim' }], problem: '1 result could not be read' });
  });

  it('a property named __proto__ or constructor is kept as data, never on the prototype', async () => {
    const { parseAuthenticationResults } = await import('../../../../electron/core/analyze/authentication-results.js');
    const parsed = parseAuthenticationResults('mx; dkim=pass __proto__.polluted=yes constructor.prototype=x', false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed.results[0]?.properties['__proto__.polluted']).toBe('yes');
  });
});

describe('whose word each header is, when the provider is known', () => {
  // A copy of a message sent through smtp.provider.test: a forged hop sits below the provider's first one.
  const copy = message(
    [
      'from mx.example.net by imap.example.net with LMTP id 4; Thu, 3 Dec 2026 10:00:09 +0000',
      'from out.provider.test (out.provider.test [192.0.2.8]) by mx.example.net (Postfix) with ESMTPS id 3 (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384); Thu, 3 Dec 2026 10:00:06 +0000',
      'from smtp.provider.test by out.provider.test with ESMTPS id 2; Thu, 3 Dec 2026 10:00:03 +0000',
      'from [192.0.2.1] by smtp.provider.test with ESMTPSA id 1; Thu, 3 Dec 2026 10:00:01 +0000',
      'from trusted.bank.test ([203.0.113.5]) by mx.bank.test with ESMTPS id 0; Thu, 3 Dec 2026 09:59:00 +0000',
    ],
    [],
  );
  const withTop = (extra: string[]): Buffer => Buffer.concat([Buffer.from(`${extra.join('\r\n')}\r\n`), copy]);

  it('the provider’s first hop and everything after it are trusted; the hop below it is the sender’s side', () => {
    const path = analyzeDelivered(copy, { provider: { account: 'Clinic', host: 'smtp.provider.test' } });
    expect(path.provider).toEqual({ account: 'Clinic', names: ['smtp.provider.test', 'provider.test'], firstHop: 1 });
    expect(path.hops.map((h) => h.trust)).toEqual(['sender-side', 'provider', 'provider', 'after-provider', 'after-provider']);
    // Without the account, nothing is marked: no hop is called trustworthy.
    expect(analyzeDelivered(copy).hops.every((h) => h.trust === undefined)).toBe(true);
    // An account whose servers no hop names: said so, and nothing is marked.
    const unknown = analyzeDelivered(copy, { provider: { account: 'Other', host: 'smtp.other.test' } });
    expect(unknown.provider?.firstHop).toBeUndefined();
    expect(unknown.hops.every((h) => h.trust === undefined)).toBe(true);
  });

  it('an Authentication-Results field or Require-TLS-ESMTP says which hop sits below it, and whether that is trusted', () => {
    const path = analyzeDelivered(
      Buffer.concat([
        Buffer.from('Authentication-Results: imap.example.net; dkim=pass header.d=provider.test\r\n'),
        Buffer.from(
          copy
            .toString('latin1')
            .replace('Received: from trusted.bank.test', 'Authentication-Results: mx.bank.test; dkim=pass header.d=bank.test; spf=pass smtp.mailfrom=bank.test\r\nReceived: from trusted.bank.test')
            .replace('Received: from smtp.provider.test', 'Require-TLS-ESMTP: yes\r\nReceived: from smtp.provider.test'),
          'latin1',
        ),
      ]),
      { provider: { account: 'Clinic', host: 'smtp.provider.test' } },
    );
    expect(path.authentication.map((a) => [a.authservId, a.above, a.trust])).toEqual([
      ['imap.example.net', 4, 'after-provider'],
      ['mx.bank.test', 0, 'sender-side'],
    ]);
    expect(path.requireTlsEsmtpAbove).toBe(2);
    expect(analyzeDelivered(withTop(['Require-TLS-ESMTP: yes'])).requireTlsEsmtpAbove).toBe(4);
  });

  it('Microsoft 365: an account at smtp.office365.com knows the hops its servers record under outlook.com', () => {
    const m365 = message([
      'from AM6PR01MB1234.eurprd01.prod.outlook.com (2603:10a6:20b:1::1) by mx.example.net with ESMTPS id 3; Thu, 3 Dec 2026 10:00:05 +0000',
      'from [192.0.2.1] by AM6PR01MB1234.eurprd01.prod.outlook.com with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.1 via Frontend Transport; Thu, 3 Dec 2026 10:00:01 +0000',
    ]);
    expect(analyzeDelivered(m365, { provider: { account: 'Work', host: 'smtp.office365.com' } }).hops.map((h) => h.trust)).toEqual(['provider', 'after-provider']);
  });

  it('the From address is found for matching an account', async () => {
    const { fromAddressOf } = await import('../../../../electron/core/analyze/delivered-path.js');
    expect(fromAddressOf(Buffer.from('From: "Dr, Ada" <Ada@Clinic.test>\r\n\r\n'))).toBe('ada@clinic.test');
    expect(fromAddressOf(Buffer.from('From: ada@clinic.test\r\n\r\n'))).toBe('ada@clinic.test');
    expect(fromAddressOf(Buffer.from('Subject: none\r\n\r\n'))).toBeUndefined();
  });
});
