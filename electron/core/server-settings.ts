import { X509Certificate } from 'node:crypto';
import type { SubmissionServer } from '../../shared/types/message.js';
import { inputError } from './errors.js';
import { MAX_CA_FILE_BYTES, readLocalFile } from './files/local-file.js';
import { assertSingleLine } from './message/address.js';
import { normaliseFingerprint } from './tls/certificate-facts.js';
import type { TrustSettings } from './tls/peer-verification.js';

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^\d{1,3}(?:\.\d{1,3}){3}$|^[0-9A-Fa-f:]+$/;

/** Parses a port typed by a person: decimal digits only, 1 to 65535 (no "0x650e", "2.587e4", "+25870" or spaces). */
export function parsePort(field: string, text: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw inputError(field, `"${text}" is not a port number (1 to 65535).`);
  return Number(text);
}

/** Parses an overall time limit in seconds (1 to 86400) into milliseconds. */
export function parseDeadline(field: string, text: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 86_400) throw inputError(field, `"${text}" is not a number of seconds from 1 to 86400.`);
  return Number(text) * 1000;
}

/** Checks the server settings and loads what TLS needs; throws EINPUT naming the field, before any connection. */
export async function checkServerSettings(server: SubmissionServer, password: string | undefined, options: { passwordNeeded?: boolean } = {}): Promise<TrustSettings> {
  assertSingleLine('host', server.host ?? '');
  if (!server.host || !HOST.test(server.host)) throw inputError('host', `"${server.host ?? ''}" is not a host name or IP address.`);
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) throw inputError('port', `must be a number from 1 to 65535, not "${String(server.port)}".`);
  if (server.security !== 'starttls' && server.security !== 'implicit') throw inputError('security', 'must be "starttls" or "implicit".');
  if (server.user !== undefined) {
    assertSingleLine('user', server.user);
    if (server.user === '') throw inputError('user', 'is empty.');
    if ((options.passwordNeeded ?? true) && (password === undefined || password === '')) throw inputError('password', `a password is needed to log in as "${server.user}".`);
  } else if (password !== undefined && password !== '') {
    throw inputError('user', 'a password was given without a user name.');
  }
  if (password !== undefined && /[\r\n\0]/.test(password)) throw inputError('password', 'must not contain line breaks or NUL characters.');
  if (server.authMethod !== undefined && !['auto', 'PLAIN', 'LOGIN'].includes(server.authMethod)) throw inputError('authMethod', 'must be auto, PLAIN or LOGIN.');
  if (server.tlsName !== undefined) assertSingleLine('tlsName', server.tlsName);

  let pinnedFingerprint: string | undefined;
  if (server.pinSha256 !== undefined) {
    pinnedFingerprint = normaliseFingerprint(server.pinSha256);
    if (!pinnedFingerprint) throw inputError('pin', 'must be a SHA-256 fingerprint: 64 hex digits, colons allowed.');
  }
  let extraCaPem: string | undefined;
  if (server.caFile !== undefined) extraCaPem = await readCaFile(server.caFile);
  const checkedName = (server.tlsName ?? server.host).replace(/\.$/, '');
  return { checkedName, ...(extraCaPem ? { extraCaPem } : {}), ...(pinnedFingerprint ? { pinnedFingerprint } : {}) };
}

async function readCaFile(path: string): Promise<string> {
  const pem = (await readLocalFile('ca', path, MAX_CA_FILE_BYTES)).toString('utf8');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw inputError('ca', `file "${path}" holds no PEM certificate.`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw inputError('ca', `file "${path}" holds a certificate that cannot be parsed.`);
    }
  }
  return blocks.join('\n');
}
