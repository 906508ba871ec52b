import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { CertificateCheck } from '../../../shared/types/posture.js';
import { certificateFacts } from '../tls/certificate-facts.js';
import { tlsFacts, type HandshakeView } from '../tls/peer-verification.js';

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassa-pss',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

const DAY = 86_400_000;

/** Judges the certificate a probe saw: chain, name (RFC 6125, via Node), dates, key and signature algorithm. */
export function checkCertificate(view: HandshakeView, checkedName: string, now = new Date()): CertificateCheck {
  const facts = tlsFacts(view, { checkedName });
  const raw = view.peer.raw;
  const oid = AsnConvert.parse(raw, Certificate).signatureAlgorithm.algorithm;
  const leaf = new X509Certificate(raw);
  const notAfter = new Date(leaf.validTo).getTime();
  const notBefore = new Date(leaf.validFrom).getTime();
  return {
    leaf: certificateFacts(leaf),
    chain: facts.chain,
    signatureAlgorithm: SIGNATURE_ALGORITHMS[oid] ?? oid,
    chainTrusted: facts.trust.chainTrusted,
    ...(facts.trust.chainError ? { chainError: facts.trust.chainError } : {}),
    checkedName,
    hostnameMatched: facts.trust.hostnameMatched,
    daysUntilExpiry: Math.floor((notAfter - now.getTime()) / DAY),
    expired: notAfter < now.getTime(),
    notYetValid: notBefore > now.getTime(),
    derBase64: presentedChain(view).map((der) => der.toString('base64')),
  };
}

/** The DER certificates the server presented: the leaf, then its issuers as Node linked them. */
export function presentedChain(view: HandshakeView): Buffer[] {
  const out: Buffer[] = [];
  let current: typeof view.peer | undefined = view.peer;
  while (current?.raw && out.length < 10) {
    out.push(current.raw);
    if (!current.issuerCertificate || current.issuerCertificate === current || current.issuerCertificate.fingerprint256 === current.fingerprint256) break;
    current = current.issuerCertificate;
  }
  return out;
}

/** The issuer of the leaf among the certificates the server sent, if it sent it. */
export function issuerOf(view: HandshakeView): X509Certificate | undefined {
  const issuer = view.peer.issuerCertificate;
  if (!issuer?.raw || issuer === view.peer) return undefined;
  const candidate = new X509Certificate(issuer.raw);
  return new X509Certificate(view.peer.raw).checkIssued(candidate) ? candidate : undefined;
}
