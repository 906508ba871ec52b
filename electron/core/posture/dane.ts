import { createHash, X509Certificate } from 'node:crypto';

/** One TLSA record (RFC 6698): certificate usage, selector, matching type and association data. */
export interface TlsaRecord {
  readonly usage: number;
  readonly selector: number;
  readonly matchingType: number;
  readonly data: string;
}

/** How one TLSA record compares with the certificates a server presented. */
export interface TlsaMatch {
  readonly record: TlsaRecord;
  readonly matched: boolean;
  readonly usable: boolean;
  readonly detail: string;
}

/**
 * Matches TLSA records against a presented chain per RFC 7672 §3.1: DANE-EE(3) against the leaf, DANE-TA(2)
 * against the issuers the server sent; PKIX-TA(0) and PKIX-EE(1) are not usable for SMTP. Selector 0 is the whole
 * certificate, 1 its SubjectPublicKeyInfo; matching type 0 is exact, 1 SHA-256, 2 SHA-512.
 */
export function matchTlsa(records: readonly TlsaRecord[], chainDer: readonly Buffer[]): TlsaMatch[] {
  // What a server presents is parsed here; a certificate that cannot be parsed matches nothing.
  const certificates = chainDer.map((der) => {
    try {
      return new X509Certificate(der);
    } catch {
      return undefined;
    }
  });
  return records.map((record) => {
    if (record.usage !== 2 && record.usage !== 3) return { record, matched: false, usable: false, detail: `usage ${record.usage} (PKIX) is not used for SMTP (RFC 7672 §3.1.3)` };
    if (record.selector > 1 || record.matchingType > 2) return { record, matched: false, usable: false, detail: 'unknown selector or matching type' };
    const candidates = (record.usage === 3 ? certificates.slice(0, 1) : certificates.slice(1)).filter((c): c is X509Certificate => c !== undefined);
    const matched = record.data !== '' && candidates.some((cert) => associationData(cert, record.selector, record.matchingType) === record.data.toLowerCase());
    const what = record.usage === 3 ? 'the server certificate (DANE-EE)' : 'a CA certificate the server sent (DANE-TA)';
    return { record, matched, usable: true, detail: matched ? `matches ${what}` : `does not match ${what}` };
  });
}

function associationData(cert: X509Certificate, selector: number, matchingType: number): string {
  const selected = selector === 0 ? cert.raw : cert.publicKey.export({ type: 'spki', format: 'der' });
  if (matchingType === 0) return selected.toString('hex');
  return createHash(matchingType === 1 ? 'sha256' : 'sha512').update(selected).digest('hex');
}
