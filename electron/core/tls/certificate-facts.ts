import { X509Certificate } from 'node:crypto';
import type { CertificateFacts } from '../../../shared/types/report.js';

/** Describes a DER or PEM certificate as plain facts for reports. */
export function certificateFacts(certificate: Buffer | string | X509Certificate): CertificateFacts {
  const x509 = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  const key = x509.publicKey;
  const details = key.asymmetricKeyDetails;
  const size = details?.modulusLength ?? details?.namedCurve ?? '';
  return {
    subject: oneLine(x509.subject),
    subjectAltNames: x509.subjectAltName ? x509.subjectAltName.split(/,\s*/).filter(Boolean) : [],
    issuer: oneLine(x509.issuer),
    serialNumber: x509.serialNumber,
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    fingerprintSha256: x509.fingerprint256,
    publicKey: `${key.asymmetricKeyType ?? 'unknown'} ${size}`.trim(),
  };
}

function oneLine(distinguishedName: string): string {
  return distinguishedName.split('\n').filter(Boolean).join(', ');
}

/** Normalises a SHA-256 fingerprint to Node's form (`AB:CD:…`), or undefined when it is not one. */
export function normaliseFingerprint(input: string): string | undefined {
  const hex = input.trim().replace(/^sha256[:/]/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)?.join(':');
}
