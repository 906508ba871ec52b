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
    // The system roots plus the account's CA, in a context built once per CA (building a store of every root
    // certificate costs about 20 ms of CPU per connection otherwise).
    ...(trust.extraCaPem ? { secureContext: secureContextFor({ ca: trust.extraCaPem, minVersion: 'TLSv1.2' }) } : { minVersion: 'TLSv1.2' }),
    ...(isIP(trust.checkedName) ? {} : { servername: trust.checkedName }),
    // A pinned certificate replaces CA trust; verifyPeer() enforces the pin right after the handshake.
    rejectUnauthorized: trust.pinnedFingerprint === undefined,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(trust.checkedName, cert),
  };
}

const contexts = new Map<string, tls.SecureContext>();

/**
 * A TLS client context trusting the system roots plus `ca`, built once and reused (it holds no per-connection
 * state: names, pins and verification are per connection). `minVersion`, `maxVersion` and `ciphers` go with it.
 */
export function secureContextFor(options: { ca: string; minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion; ciphers?: string }): tls.SecureContext {
  const key = JSON.stringify([options.ca, options.minVersion, options.maxVersion, options.ciphers]);
  let context = contexts.get(key);
  if (!context) {
    context = withExtraCa(options);
    if (contexts.size >= 32) contexts.delete(contexts.keys().next().value as string);
    contexts.set(key, context);
  }
  return context;
}

/**
 * Node's default roots plus `ca`. Built without `ca`, a context takes Node's root store as every default
 * connection does (one step in native code; NODE_EXTRA_CA_CERTS and --use-openssl-ca included), and the one extra
 * CA is added to it: about 1 ms, where parsing all of `tls.rootCertificates` again costs about 30. Where the
 * native context lacks addCACert, the store is built the long way. Either way a missing CA fails closed.
 */
function withExtraCa(options: { ca: string; minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion; ciphers?: string }): tls.SecureContext {
  const settings = { ...(options.minVersion ? { minVersion: options.minVersion } : {}), ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}), ...(options.ciphers ? { ciphers: options.ciphers } : {}) };
  const context = tls.createSecureContext(settings);
  const native = (context as unknown as { context?: { addCACert?: (pem: string) => void } }).context;
  if (typeof native?.addCACert === 'function') {
    native.addCACert(options.ca);
    return context;
  }
  return tls.createSecureContext({ ...settings, ca: [...tls.rootCertificates, options.ca] });
}

/** What the handshake showed, captured from the socket (possibly just before Node rejects it). */
export interface HandshakeView {
  readonly peer: tls.DetailedPeerCertificate;
  readonly protocol: string | null;
  readonly cipher: tls.CipherNameAndProtocol;
  readonly ephemeral: tls.EphemeralKeyInfo | object | null;
  /** OpenSSL's or Node's verdict: a chain error code, or ERR_TLS_CERT_ALTNAME_INVALID. */
  readonly authorizationError?: string;
}

/** Reads the view of a TLS socket whose handshake has completed (or is completing). */
export function viewOf(socket: tls.TLSSocket, authorizationError?: string): HandshakeView {
  return {
    peer: socket.getPeerCertificate(true),
    protocol: socket.getProtocol(),
    cipher: socket.getCipher(),
    ephemeral: socket.getEphemeralKeyInfo(),
    ...(authorizationError ? { authorizationError } : {}),
  };
}

/** Turns a handshake view into report facts, judging chain, name and pin. */
export function tlsFacts(view: HandshakeView, trust: TrustSettings): TlsFacts {
  const { peer } = view;
  if (!peer || !peer.raw) throw new HoplightError('ETLS', 'The server presented no certificate.');
  const certificate = certificateFacts(new X509Certificate(peer.raw));
  const hostnameMatched = tls.checkServerIdentity(trust.checkedName, peer) === undefined;
  const chainError = view.authorizationError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? undefined : view.authorizationError;
  const ephemeral = view.ephemeral;
  const keyExchange = ephemeral && 'name' in ephemeral && ephemeral.name ? `${ephemeral.name}` : undefined;
  return {
    protocol: view.protocol ?? 'unknown',
    cipher: view.cipher.name,
    ...(view.cipher.standardName ? { cipherStandardName: view.cipher.standardName } : {}),
    ...(keyExchange ? { keyExchange } : {}),
    certificate,
    chain: issuerChain(peer),
    trust: {
      chainTrusted: chainError === undefined,
      ...(chainError ? { chainError } : {}),
      checkedName: trust.checkedName,
      hostnameMatched,
      pinned: trust.pinnedFingerprint !== undefined,
      extraCaUsed: trust.extraCaPem !== undefined,
    },
  };
}

/** Checks the completed handshake against the trust settings and returns the facts; throws ETLS if untrusted. */
export function verifyPeer(socket: tls.TLSSocket, trust: TrustSettings): TlsFacts {
  const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
  const facts = tlsFacts(viewOf(socket, authorizationError), trust);
  const presented = facts.certificate.fingerprintSha256;
  if (trust.pinnedFingerprint !== undefined && presented !== trust.pinnedFingerprint) {
    throw new HoplightError('ETLS', `The server's certificate does not match the pinned fingerprint. Presented: ${presented}; pinned: ${trust.pinnedFingerprint}. Nothing was sent.`, {
      hint: 'If the server legitimately changed its certificate, confirm the new fingerprint with its administrator before pinning it.',
      refusedTls: facts,
    });
  }
  if (trust.pinnedFingerprint === undefined && (!socket.authorized || !facts.trust.chainTrusted || !facts.trust.hostnameMatched)) {
    // Node already aborts in this case (rejectUnauthorized); this is the belt to its braces.
    throw new HoplightError('ETLS', `The server's certificate is not trusted (${authorizationError ?? 'unverified'}). Nothing was sent.`, { refusedTls: facts });
  }
  return facts;
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

/** Turns a TLS handshake failure into words a user can act on, with what the server presented when known. */
export function describeTlsFailure(error: Error & { code?: string }, trust: TrustSettings, presented?: HandshakeView, transport: 'starttls' | 'implicit' = 'implicit'): HoplightError {
  const code = error.code ?? '';
  // The peer went away mid-handshake: nothing was verified or refused, and no CA or pin would change that.
  if (!presented && (code === 'ECONNRESET' || code === 'EPIPE' || /socket disconnected|socket hang up|closed/i.test(error.message))) {
    return new HoplightError('ECONNECTION', `The server closed the connection during the TLS handshake (${code || 'connection closed'}), before any certificate was presented. Nothing was sent.`, {
      hint: 'This is a network or server problem, not a certificate one. Try again later, or ask the server\'s administrator.',
      cause: error,
    });
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' && transport === 'starttls') {
    return new HoplightError('ETLS', `The server agreed to STARTTLS but then did not speak TLS (${code}); it may be broken, or something on the network is interfering. Nothing was sent.`, {
      hint: 'Ask the server\'s administrator; never send over this connection without TLS.',
      cause: error,
    });
  }
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
        ? 'Port 587 usually expects STARTTLS; port 465 expects implicit TLS.'
        : code.startsWith('ERR_SSL')
          ? 'Ask the server\'s administrator to enable TLS 1.2 or 1.3.'
          : 'If the server uses a private CA, trust that CA for this account. For a self-signed certificate, pin its SHA-256 fingerprint after confirming it with the administrator.';
  const hintId = code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ('starttls-port' as const) : code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code.startsWith('ERR_SSL') ? undefined : ('trust-ca-or-pin' as const);
  let refusedTls: TlsFacts | undefined;
  if (presented?.peer?.raw) {
    try {
      refusedTls = tlsFacts({ ...presented, authorizationError: code }, trust);
    } catch {
      refusedTls = undefined; // an unparsable certificate: the error message already says what failed
    }
  }
  return new HoplightError('ETLS', `TLS verification failed: ${reason} (${code || 'handshake error'}). Nothing was sent.`, {
    hint,
    ...(hintId ? { hintId } : {}),
    cause: error,
    ...(refusedTls ? { refusedTls } : {}),
  });
}
