import { createHash, createPrivateKey, sign } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse,
  CertID,
  CertStatus,
  OCSPResponse,
  OCSPResponseStatus,
  ResponderID,
  ResponseBytes,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  id_pkix_ocsp_basic,
} from '@peculiar/asn1-ocsp';
import type { IssuedCertificate } from '../../electron/core/tls/local-ca.js';

const SHA1 = '1.3.14.3.2.26';
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const pemToDer = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

/** Makes a DER OCSP response (RFC 6960) about `leaf`, signed by `signer` (the issuing CA, or another key to forge). */
export function makeOcspResponse(leaf: IssuedCertificate, issuer: IssuedCertificate, status: 'good' | 'revoked', signer: IssuedCertificate = issuer): Buffer {
  const leafCert = AsnConvert.parse(pemToDer(leaf.certPem), Certificate);
  const issuerCert = AsnConvert.parse(pemToDer(issuer.certPem), Certificate);
  const sha1 = (data: ArrayBuffer | Buffer): ArrayBuffer => {
    const digest = createHash('sha1').update(Buffer.from(data as ArrayBuffer)).digest();
    return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength);
  };
  const now = Date.now();
  const certStatus = status === 'good' ? new CertStatus({ good: null }) : new CertStatus({ revoked: new RevokedInfo({ revocationTime: new Date(now - 3_600_000) }) });
  const tbs = new ResponseData({
    responderID: new ResponderID({ byKey: new OctetString(sha1(issuerCert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)) }),
    producedAt: new Date(now - 60_000),
    responses: [
      new SingleResponse({
        certID: new CertID({
          hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
          issuerNameHash: new OctetString(sha1(AsnConvert.serialize(issuerCert.tbsCertificate.subject))),
          issuerKeyHash: new OctetString(sha1(issuerCert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)),
          serialNumber: leafCert.tbsCertificate.serialNumber,
        }),
        certStatus,
        thisUpdate: new Date(now - 60_000),
        nextUpdate: new Date(now + 86_400_000),
      }),
    ],
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(tbs)), createPrivateKey(signer.keyPem));
  const basic = new BasicOCSPResponse({
    tbsResponseData: tbs,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: SHA256_WITH_RSA, parameters: null }),
    signature: signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength),
  });
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  return Buffer.from(AsnConvert.serialize(response));
}
