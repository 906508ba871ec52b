import { X509Certificate, verify as verifySignature } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus, id_kp_OCSPSigning, id_pkix_ocsp_basic } from '@peculiar/asn1-ocsp';
import type { OcspCheck } from '../../../shared/types/posture.js';

/** Signature algorithm OIDs to Node's digest names (RSA PKCS#1 v1.5 and ECDSA). */
const DIGESTS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/**
 * Decodes a stapled OCSP response (RFC 6960) with @peculiar/asn1-ocsp and checks that it speaks about `leaf` and is
 * signed by its issuer or by a responder certificate the issuer signed for OCSP. Without the issuer (chain not
 * sent) the status is reported but the signature is "not checked".
 */
export function decodeStapledOcsp(response: Buffer, leaf: X509Certificate, issuer: X509Certificate | undefined): OcspCheck {
  const outer = AsnConvert.parse(response, OCSPResponse);
  if (outer.responseStatus !== OCSPResponseStatus.successful || !outer.responseBytes) {
    return { requested: true, stapled: true, detail: `The responder answered "${OCSPResponseStatus[outer.responseStatus] ?? outer.responseStatus}" instead of a status.` };
  }
  if (outer.responseBytes.responseType !== id_pkix_ocsp_basic) {
    return { requested: true, stapled: true, detail: `Unsupported OCSP response type ${outer.responseBytes.responseType}.` };
  }
  const basic = AsnConvert.parse(outer.responseBytes.response.buffer, BasicOCSPResponse);
  const serial = leaf.serialNumber.replace(/^0+/, '').toUpperCase();
  const single = basic.tbsResponseData.responses.find((r) => Buffer.from(r.certID.serialNumber).toString('hex').replace(/^0+/, '').toUpperCase() === serial);
  if (!single) {
    return { requested: true, stapled: true, detail: 'The stapled response is about another certificate.' };
  }
  const status = single.certStatus.revoked ? 'revoked' : single.certStatus.good !== undefined ? 'good' : 'unknown';
  return {
    requested: true,
    stapled: true,
    status,
    producedAt: basic.tbsResponseData.producedAt.toISOString(),
    thisUpdate: single.thisUpdate.toISOString(),
    ...(single.nextUpdate ? { nextUpdate: single.nextUpdate.toISOString() } : {}),
    ...(single.certStatus.revoked ? { revokedAt: single.certStatus.revoked.revocationTime.toISOString() } : {}),
    ...(issuer ? { signatureValid: signatureValid(basic, issuer) } : { detail: 'The signature was not checked: the server did not send the issuer certificate.' }),
  };
}

function signatureValid(basic: BasicOCSPResponse, issuer: X509Certificate): boolean {
  const digest = DIGESTS[basic.signatureAlgorithm.algorithm];
  if (!digest) return false;
  const signed = Buffer.from(basic.tbsResponseDataRaw ?? AsnConvert.serialize(basic.tbsResponseData));
  const signature = Buffer.from(basic.signature);
  const signers = [issuer.publicKey];
  // RFC 6960 §4.2.2.2: a delegated responder's certificate is issued by the CA and carries id-kp-OCSPSigning.
  for (const cert of basic.certs ?? []) {
    const responder = new X509Certificate(Buffer.from(AsnConvert.serialize(cert)));
    if (responder.verify(issuer.publicKey) && (responder.keyUsage ?? []).includes(id_kp_OCSPSigning)) signers.push(responder.publicKey);
  }
  return signers.some((key) => {
    try {
      return verifySignature(digest, signed, key, signature);
    } catch {
      return false;
    }
  });
}
