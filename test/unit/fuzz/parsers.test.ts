import { createHash, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAutoconfig } from '../../../electron/core/accounts/discover.js';
import { accountsFileSchema } from '../../../electron/core/accounts/account-schema.js';
import { parseAuthenticationResults } from '../../../electron/core/analyze/authentication-results.js';
import { analyzeDelivered } from '../../../electron/core/analyze/delivered-path.js';
import { HoplightError } from '../../../electron/core/errors.js';
import { assertSingleLine, parseMailbox } from '../../../electron/core/message/address.js';
import { matchTlsa } from '../../../electron/core/posture/dane.js';
import { readPolicy } from '../../../electron/core/posture/mta-sts.js';
import { parseCapabilities } from '../../../electron/core/smtp/capabilities.js';
import { buildReply, MAX_REPLY_LINE, MAX_REPLY_LINES, parseReplyLine } from '../../../electron/core/smtp/reply.js';
import { makeTestPki } from '../../helpers/pki.js';

// Property-based tests of every parser Hoplight owns, on generated input (fast-check): none throws anything but
// its typed error, each stays within a time bound on the largest input it accepts, and where a printer exists the
// parse round-trips. A failing case is printed with its seed, so it can be replayed.
const RUNS = { numRuns: 400 };
/** Any text, including control characters, lone surrogates and the characters SMTP and headers treat specially. */
const anyText = (maxLength: number) => fc.string({ unit: fc.oneof(fc.constantFrom('\r', '\n', '\0', ' ', '\t', '-', ':', ';', '(', ')', '"', '\\', '<', '>', '@', '[', ']', '=', '.', '*'), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))), maxLength });

/** Runs `work` and says how long it took, in ms. */
function timed(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

function onlyTyped(work: () => unknown, code = 'EINPUT'): void {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(HoplightError);
    expect((error as HoplightError).code).toBe(code);
  }
}

describe('SMTP replies and EHLO capabilities', () => {
  it('any line: parsed as RFC 5321 says or refused (undefined), never thrown; a printed line round-trips', () => {
    fc.assert(
      fc.property(anyText(600), (line) => {
        const parsed = parseReplyLine(line);
        if (parsed) {
          expect(parsed.code).toBeGreaterThanOrEqual(200);
          expect(parsed.code).toBeLessThan(600);
        }
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 599 }), fc.boolean(), fc.string({ unit: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\r' && c !== '\n'), maxLength: 200 }), (code, last, text) => {
        const line = `${code}${last ? ' ' : '-'}${text}`;
        expect(parseReplyLine(line)).toEqual({ code, last, text });
      }),
      RUNS,
    );
  });

  it('any EHLO reply: keywords upper-cased, no parameter twice; the largest hostile reply (512 lines of 4 KB, one keyword) in bounded time', () => {
    fc.assert(
      fc.property(fc.array(anyText(200), { minLength: 1, maxLength: 40 }), (lines) => {
        const caps = parseCapabilities(buildReply(lines.map((text, i) => ({ code: 250, last: i === lines.length - 1, text }))));
        for (const [name, values] of caps) {
          expect(name).toBe(name.toUpperCase());
          expect(new Set(values).size).toBe(values.length);
        }
      }),
      RUNS,
    );
    // Every parameter distinct, one keyword repeated: the quadratic merge this once had took minutes here.
    let n = 0;
    const line = (): string => `AUTH ${Array.from({ length: Math.floor(MAX_REPLY_LINE / 8) }, () => (n++).toString(36).padStart(6, 'x')).join(' ')}`;
    const hostile = buildReply(Array.from({ length: MAX_REPLY_LINES }, (_, i) => ({ code: 250, last: i === MAX_REPLY_LINES - 1, text: i === 0 ? 'mx.example' : line() })));
    expect(timed(() => parseCapabilities(hostile))).toBeLessThan(2000);
  });
});

describe('addresses and header input', () => {
  it('any input is a checked mailbox or EINPUT naming the field; a checked envelope has no byte that could break a command and parses to itself', () => {
    fc.assert(
      fc.property(fc.oneof(anyText(300), fc.emailAddress(), fc.tuple(anyText(30), fc.emailAddress()).map(([name, a]) => `${name} <${a}>`)), (value) => {
        let mailbox;
        try {
          mailbox = parseMailbox('to', value);
        } catch (error) {
          expect(error).toBeInstanceOf(HoplightError);
          expect((error as HoplightError).field).toBe('to');
          return;
        }
        // eslint-disable-next-line no-control-regex
        expect(mailbox.envelope).not.toMatch(/[\x00-\x20\x7f<>]/);
        expect(parseMailbox('to', mailbox.envelope).envelope).toBe(mailbox.envelope);
      }),
      RUNS,
    );
  });

  it('a header value with any control character or line break is refused, with the field named', () => {
    fc.assert(
      fc.property(anyText(200), (value) => {
        try {
          assertSingleLine('subject', value);
          // eslint-disable-next-line no-control-regex
          expect(value).not.toMatch(/[\x00-\x08\x0A-\x1F\x7F]/);
        } catch (error) {
          expect((error as HoplightError).field).toBe('subject');
        }
      }),
      RUNS,
    );
  });

  it('a 1 MB address is refused in bounded time (no backtracking blow-up)', () => {
    for (const value of [`${'a.'.repeat(500_000)}@x.test`, `"${'\\a'.repeat(300_000)}@x.test`, `a@${'a-'.repeat(400_000)}.test`, `${'<'.repeat(200_000)}a@b.test`]) {
      expect(timed(() => onlyTyped(() => parseMailbox('to', value)))).toBeLessThan(3000);
    }
  });
});

describe('Received and Authentication-Results fields (a delivered copy)', () => {
  const received = fc.array(fc.oneof(anyText(300), fc.constantFrom('from a.example ([192.0.2.1]) by b.example with ESMTPS id 1; Thu, 3 Dec 2026 10:00:00 +0000', 'by 2002::1 with SMTP id x; 3 Dec 2026 10:00:00 +0000', '(using TLSv1.3 with cipher X)', 'with esmtpsa (TLS1.3) tls Y')), { maxLength: 12 });

  it('any bytes are a path or EINPUT; each hop index in order; tls is true only where a clause or a TLS with-type says so', () => {
    fc.assert(
      fc.property(received, fc.uint8Array({ maxLength: 400 }), (fields, junk) => {
        const raw = Buffer.concat([Buffer.from(fields.map((f) => `Received: ${f}\r\n`).join(''), 'utf8'), Buffer.from('From: a@b.example\r\n'), Buffer.from(junk)]);
        let path;
        try {
          path = analyzeDelivered(raw);
        } catch (error) {
          expect((error as HoplightError).code).toBe('EINPUT');
          return;
        }
        path.hops.forEach((hop, i) => {
          expect(hop.index).toBe(i);
          if (hop.tls === true) expect(hop.raw).toMatch(/TLS|tls|ESMTPS|ESMTPSA|SMTPS|LMTPS|esmtps|version=|:YES\)|:NO\)/i);
          if (hop.local) expect(hop.tls).not.toBe(false);
        });
      }),
      RUNS,
    );
  });

  it('the largest header block accepted (2 MB, thousands of fields, deep parentheses) is read in bounded time', () => {
    const deep = `Received: from ${'('.repeat(100_000)}x${')'.repeat(100_000)} by y; Thu, 3 Dec 2026 10:00:00 +0000\r\n`;
    const many = 'Received: from a ([192.0.2.1]) by b with ESMTPS id 1; Thu, 3 Dec 2026 10:00:00 +0000\r\n'.repeat(20_000);
    for (const head of [deep, many, `Subject: ${'x'.repeat(2_000_000)}\r\n`]) {
      expect(timed(() => analyzeDelivered(Buffer.from(`${head}From: a@b\r\n\r\n`)))).toBeLessThan(5000);
    }
  });

  it('Authentication-Results: any value is results or a stated problem, never thrown; at most 64 results; nothing on Object.prototype', () => {
    fc.assert(
      fc.property(anyText(500), fc.boolean(), (value, arc) => {
        const parsed = parseAuthenticationResults(value, arc);
        expect(parsed.results.length).toBeLessThanOrEqual(64);
        for (const r of parsed.results) expect(Object.getPrototypeOf(r.properties)).toBe(Object.prototype);
      }),
      RUNS,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(timed(() => parseAuthenticationResults(`mx; ${'dkim=pass header.d=a; '.repeat(1000)}${'('.repeat(8000)}`, false))).toBeLessThan(1000);
  });
});

describe('what servers publish: MTA-STS policies, TLSA records, autoconfig files', () => {
  const policyLine = fc.oneof(
    fc.constantFrom('version: STSv1', 'mode: enforce', 'mode: testing', 'mode: none', 'mode: bogus', 'max_age: 86400', 'max_age: -1', 'max_age: 99999999999', 'mx: mx.example.test', 'mx: *.example.test', 'mx: *.*.example.test', 'mx: bad host', 'mx: '),
    anyText(80),
  );

  it('a policy is a known mode, max_age in range and host-name mx patterns, or an Error saying what is wrong', () => {
    fc.assert(
      fc.property(fc.array(policyLine, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        let policy;
        try {
          policy = readPolicy(lines.join(eol));
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message.length).toBeGreaterThan(0);
          return;
        }
        expect(['enforce', 'testing', 'none']).toContain(policy.mode);
        expect(policy.maxAge).toBeGreaterThanOrEqual(0);
        expect(policy.maxAge).toBeLessThanOrEqual(31_557_600);
        for (const mx of policy.mx) expect(mx).toMatch(/^(\*\.)?[A-Za-z0-9_.-]+$/);
      }),
      RUNS,
    );
  });

  it('TLSA: any records against any chain never throw, and a record matches only the exact certificate or key digest', () => {
    const pki = makeTestPki();
    const real = [new X509Certificate(pki.server.certPem).raw, new X509Certificate(pki.ca.certPem).raw];
    const digests = real.flatMap((der, position) =>
      [der, new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' })].flatMap((selected, selector) => [
        { position, selector, matchingType: 0, data: selected.toString('hex') },
        { position, selector, matchingType: 1, data: createHash('sha256').update(selected).digest('hex') },
        { position, selector, matchingType: 2, data: createHash('sha512').update(selected).digest('hex') },
      ]),
    );
    const record = fc.record({
      usage: fc.integer({ min: 0, max: 255 }),
      selector: fc.integer({ min: 0, max: 255 }),
      matchingType: fc.integer({ min: 0, max: 255 }),
      data: fc.oneof(fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a).toString('hex')), fc.constantFrom(...digests.map((d) => d.data))),
    });
    const chain = fc.oneof(fc.constant(real), fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a)), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(record, { maxLength: 6 }), chain, (records, presented) => {
        for (const m of matchTlsa(records, presented)) {
          if (!m.matched) continue;
          // Matched: the very digest of the right certificate (the leaf for DANE-EE, an issuer for DANE-TA).
          const expected = digests.filter((d) => d.selector === m.record.selector && d.matchingType === m.record.matchingType && (m.record.usage === 3 ? d.position === 0 : d.position > 0));
          expect(presented).toBe(real);
          expect(expected.map((d) => d.data)).toContain(m.record.data.toLowerCase());
        }
      }),
      RUNS,
    );
  });

  it('autoconfig: any XML gives only well-formed servers (host name or IP, port 1–65535, TLS), never an exception', () => {
    const server = fc.record({ type: fc.constantFrom('smtp', 'imap', '"smtp"', ''), host: fc.oneof(fc.domain(), anyText(40), fc.constant('<x/>')), port: fc.oneof(fc.integer({ min: -5, max: 70_000 }).map(String), anyText(8)), socket: fc.constantFrom('SSL', 'STARTTLS', 'plain', 'TLS', '') });
    fc.assert(
      fc.property(fc.array(server, { maxLength: 5 }), anyText(60), (servers, junk) => {
        const xml = `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x">${servers.map((s) => `<outgoingServer type="${s.type}"><hostname>${s.host}</hostname><port>${s.port}</port><socketType>${s.socket}</socketType></outgoingServer>`).join('')}${junk}</emailProvider></clientConfig>`;
        for (const s of parseAutoconfig(xml, 'ann@example.test')) {
          expect(s.host).toMatch(/^[A-Za-z0-9.:-]+$/);
          expect(s.port).toBeGreaterThan(0);
          expect(s.port).toBeLessThan(65536);
          expect(['implicit', 'starttls']).toContain(s.security);
        }
      }),
      RUNS,
    );
    expect(parseAutoconfig(`<a>${'<b>'.repeat(50_000)}`, 'a@b.test')).toEqual([]);
  });
});

describe('the accounts file', () => {
  it('any JSON is accounts or a validation failure, never thrown; prototype keys stay data', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const result = accountsFileSchema.safeParse(value);
        if (result.success) expect(Array.isArray(result.data.accounts)).toBe(true);
      }),
      RUNS,
    );
    const polluted = JSON.parse('{"accounts": [], "__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown;
    accountsFileSchema.safeParse(polluted);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
