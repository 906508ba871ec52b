import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, type IssuedCertificate } from '../../electron/core/tls/local-ca.js';

/** The per-run PKI of a test file: a CA and the certificates peers present, written to a temp folder. */
export interface TestPki {
  readonly dir: string;
  readonly ca: IssuedCertificate;
  readonly caFile: string;
  /** For 127.0.0.1 and localhost, issued by the CA. */
  readonly server: IssuedCertificate & { certFile: string; keyFile: string };
  /** Issued by the CA for another name (mail.other.test). */
  readonly wrongHost: IssuedCertificate;
  /** Self-signed for 127.0.0.1 and localhost. */
  readonly selfSigned: IssuedCertificate;
  /** Issued by the CA, expired yesterday. */
  readonly expired: IssuedCertificate;
}

/** Generates a fresh CA and certificates for this run (never reused across runs). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'hoplight-pki-'));
  const ca = issueCertificate({ commonName: `Hoplight test CA ${Date.now()}`, isCa: true });
  const server = issueCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] }, ca);
  const caFile = join(dir, 'ca.pem');
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server-key.pem');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(certFile, server.certPem);
  writeFileSync(keyFile, server.keyPem, { mode: 0o600 });
  return {
    dir,
    ca,
    caFile,
    server: { ...server, certFile, keyFile },
    wrongHost: issueCertificate({ commonName: 'mail.other.test', names: ['mail.other.test'] }, ca),
    selfSigned: issueCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'] }),
    expired: issueCertificate(
      { commonName: 'localhost', names: ['localhost', '127.0.0.1'], notBefore: new Date(Date.now() - 30 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) },
      ca,
    ),
  };
}
