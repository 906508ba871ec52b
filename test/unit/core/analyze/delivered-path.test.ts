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
    expect(path.authenticationResults[0]).toMatch(/spf=pass/);
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
