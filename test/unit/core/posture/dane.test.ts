import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { matchTlsa, type TlsaRecord } from '../../../../electron/core/posture/dane.js';
import { issueCertificate } from '../../../../electron/core/tls/local-ca.js';

const ca = issueCertificate({ commonName: 'DANE test CA', isCa: true });
const leaf = issueCertificate({ commonName: 'mx.example.test', names: ['mx.example.test'] }, ca);
const chain = [leaf, ca].map((c) => new X509Certificate(c.certPem).raw);
const spki = (pem: string): Buffer => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
const digest = (algorithm: string, data: Buffer): string => createHash(algorithm).update(data).digest('hex');
const leafDer = new X509Certificate(leaf.certPem).raw;
const caDer = new X509Certificate(ca.certPem).raw;

describe('DANE TLSA matching (RFC 6698, RFC 7672)', () => {
  it.each<[string, TlsaRecord]>([
    ['3 0 0: the whole leaf', { usage: 3, selector: 0, matchingType: 0, data: leafDer.toString('hex') }],
    ['3 0 1: SHA-256 of the leaf', { usage: 3, selector: 0, matchingType: 1, data: digest('sha256', leafDer) }],
    ['3 1 1: SHA-256 of the leaf key', { usage: 3, selector: 1, matchingType: 1, data: digest('sha256', spki(leaf.certPem)) }],
    ['3 1 2: SHA-512 of the leaf key', { usage: 3, selector: 1, matchingType: 2, data: digest('sha512', spki(leaf.certPem)) }],
    ['2 0 1: SHA-256 of the CA certificate', { usage: 2, selector: 0, matchingType: 1, data: digest('sha256', caDer) }],
    ['2 1 2: SHA-512 of the CA key', { usage: 2, selector: 1, matchingType: 2, data: digest('sha512', spki(ca.certPem)) }],
  ])('matches %s', (_name, record) => {
    const [match] = matchTlsa([record], chain);
    expect(match).toMatchObject({ matched: true, usable: true });
  });

  it('DANE-EE never matches a CA certificate, DANE-TA never the leaf', () => {
    const [ee, ta] = matchTlsa(
      [
        { usage: 3, selector: 0, matchingType: 1, data: digest('sha256', caDer) },
        { usage: 2, selector: 0, matchingType: 1, data: digest('sha256', leafDer) },
      ],
      chain,
    );
    expect(ee?.matched).toBe(false);
    expect(ta?.matched).toBe(false);
  });

  it('PKIX usages (0, 1) are reported as unusable for SMTP, and hex case does not matter', () => {
    const [pkix, upper] = matchTlsa(
      [
        { usage: 1, selector: 0, matchingType: 1, data: digest('sha256', leafDer) },
        { usage: 3, selector: 1, matchingType: 1, data: digest('sha256', spki(leaf.certPem)).toUpperCase() },
      ],
      chain,
    );
    expect(pkix).toMatchObject({ matched: false, usable: false });
    expect(upper?.matched).toBe(true);
  });
});
