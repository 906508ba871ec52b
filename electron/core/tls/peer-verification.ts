import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import type { CertificateFacts, TlsFacts } from '../../../shared/types/report.js';
import { HoplightError } from '../errors.js';
import { certificateFacts } from './certificate-facts.js';

/** What this account trusts for hop 1. */
export interface TrustSettings {
  /** The name the certificate must carry (RFC 6125); normally the host we dial. */
  readonly checkedName: string;
  /** Extra CA certificates (PEM), trusted besides the system roots. */
  readonly extraCaPem?: string;
  /** The pinned SHA-256 fingerprint of the server's own certificate, in Node's `AB:CD:…` form. */
  readonly pinnedFingerprint?: string;
}

/**
 * TLS options for hop 1. Verification is never switched off silently: without a pin, Node verifies chain and
 * name and aborts the handshake on failure. With a pin, the chain may be self-signed, and `verifyPeer` (called
 * on secureConnect, before any SMTP byte is written) accepts only the exact pinned certificate.
 */
export function clientTlsOptions(trust: TrustSettings): tls.ConnectionOptions {
  return {
    ...(trust.extraCaPem ? { ca: [...tls.rootCertificates, trust.extraCaPem] } : {}),
    ...(isIP(trust.checkedName) ? {} : { servername: trust.checkedName }),
    minVersion: 'TLSv1.2',
    // A pinned certificate replaces CA trust; verifyPeer() enforces the pin right after the handshake.
    rejectUnauthorized: trust.pinnedFingerprint === undefined,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(trust.checkedName, cert),
  };
}

/** Checks the handshake's result against the trust settings and returns the facts; throws ETLS if untrusted. */
export function verifyPeer(socket: tls.TLSSocket, trust: TrustSettings): TlsFacts {
  const peer = socket.getPeerCertificate(true);
  if (!peer || !peer.raw) {
    throw new HoplightError('ETLS', 'The server presented no certificate.');
  }
  const leaf = new X509Certificate(peer.raw);
  const certificate = certificateFacts(leaf);
  const nameError = tls.checkServerIdentity(trust.checkedName, peer);
  const hostnameMatched = nameError === undefined;
  const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
  const chainError = authorizationError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? undefined : authorizationError;
  const chainTrusted = chainError === undefined;
  const pinned = trust.pinnedFingerprint !== undefined;

  if (pinned && certificate.fingerprintSha256 !== trust.pinnedFingerprint) {
    throw new HoplightError(
      'ETLS',
      `The server's certificate does not match the pinned fingerprint. Presented: ${certificate.fingerprintSha256}; pinned: ${trust.pinnedFingerprint}. Nothing was sent.`,
      { hint: 'If the server legitimately changed its certificate, confirm the new fingerprint with its administrator before pinning it.' },
    );
  }
  if (!pinned && (!socket.authorized || !chainTrusted || !hostnameMatched)) {
    // Node already aborts in this case (rejectUnauthorized); this is the belt to its braces.
    throw new HoplightError('ETLS', `The server's certificate is not trusted (${authorizationError ?? 'unverified'}). Nothing was sent.`);
  }

  const cipher = socket.getCipher();
  const ephemeral = socket.getEphemeralKeyInfo();
  const keyExchange = ephemeral && 'name' in ephemeral && ephemeral.name ? `${ephemeral.name}` : undefined;
  return {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: cipher.name,
    ...(cipher.standardName ? { cipherStandardName: cipher.standardName } : {}),
    ...(keyExchange ? { keyExchange } : {}),
    certificate,
    chain: issuerChain(peer),
    trust: {
      chainTrusted,
      ...(chainError ? { chainError } : {}),
      checkedName: trust.checkedName,
      hostnameMatched,
      pinned,
      extraCaUsed: trust.extraCaPem !== undefined,
    },
  };
}

function issuerChain(leaf: tls.DetailedPeerCertificate): CertificateFacts[] {
  const chain: CertificateFacts[] = [];
  let current = leaf;
  while (current.issuerCertificate && current.issuerCertificate !== current && chain.length < 10) {
    current = current.issuerCertificate;
    if (!current.raw) break;
    chain.push(certificateFacts(current.raw));
    if (current.issuerCertificate?.fingerprint256 === current.fingerprint256) break;
  }
  return chain;
}

/** Turns a TLS handshake failure into words a user can act on. */
export function describeTlsFailure(error: Error & { code?: string }, trust: TrustSettings): HoplightError {
  const code = error.code ?? '';
  const reasons: Record<string, string> = {
    DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presented a self-signed certificate that is not trusted',
    SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a CA that is not trusted',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate was issued by a CA that is not trusted (or the server omits an intermediate)',
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate was issued by a CA that is not trusted',
    CERT_HAS_EXPIRED: 'the certificate has expired',
    CERT_NOT_YET_VALID: 'the certificate is not valid yet',
    ERR_TLS_CERT_ALTNAME_INVALID: `the certificate is not valid for the name "${trust.checkedName}"`,
    ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'the server offers only TLS versions older than 1.2, which Hoplight does not accept',
    ERR_SSL_UNSUPPORTED_PROTOCOL: 'the server offers only TLS versions older than 1.2, which Hoplight does not accept',
    ERR_SSL_WRONG_VERSION_NUMBER: 'the server did not answer with TLS (is this a STARTTLS port rather than an implicit-TLS one?)',
  };
  const reason = reasons[code] ?? error.message;
  const hint =
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? 'Connect using a name the certificate lists, or set the TLS name the certificate was issued for.'
      : code === 'ERR_SSL_WRONG_VERSION_NUMBER'
        ? 'Port 587 usually expects STARTTLS (--security starttls); port 465 expects implicit TLS.'
        : code.startsWith('ERR_SSL')
          ? 'Ask the server\'s administrator to enable TLS 1.2 or 1.3.'
          : 'If the server uses a private CA, trust it with --ca FILE. For a self-signed certificate, pin its SHA-256 fingerprint with --pin after confirming it with the administrator.';
  return new HoplightError('ETLS', `TLS verification failed: ${reason} (${code || 'handshake error'}). Nothing was sent.`, {
    hint,
    cause: error,
  });
}
