import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { checkCertificate } from '../../../../electron/core/posture/certificate-check.js';
import type { HandshakeView } from '../../../../electron/core/tls/peer-verification.js';
import { issueCertificate } from '../../../../electron/core/tls/local-ca.js';

const ca = issueCertificate({ commonName: 'Wildcard test CA', isCa: true });
const wildcard = issueCertificate({ commonName: '*.example.test', names: ['*.example.test'] }, ca);

function view(pem: string): HandshakeView {
  const peer = new X509Certificate(pem).toLegacyObject() as unknown as DetailedPeerCertificate;
  return { peer, protocol: 'TLSv1.3', cipher: { name: 'TLS_AES_128_GCM_SHA256', standardName: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3' }, ephemeral: null };
}

describe('host-name matching (RFC 6125: one leading wildcard label only)', () => {
  it.each([
    ['mx.example.test', true],
    ['MX.Example.Test', true],
    ['a.b.example.test', false],
    ['example.test', false],
    ['mx.example.test.evil', false],
  ])('*.example.test for %s: %s', (name, matched) => {
    expect(checkCertificate(view(wildcard.certPem), name).hostnameMatched).toBe(matched);
  });

  it('reports days until expiry and the signature algorithm', () => {
    const result = checkCertificate(view(wildcard.certPem), 'mx.example.test');
    expect(result.daysUntilExpiry).toBeGreaterThan(360);
    expect(result.expired).toBe(false);
    expect(result.signatureAlgorithm).toBe('sha256WithRSAEncryption');
    expect(result.leaf.publicKey).toBe('rsa 2048');
  });
});
