import { request } from 'node:https';
import { rootCertificates } from 'node:tls';

/** A verified HTTPS GET to a known address, for the small policy and configuration files Hoplight reads. */
export interface HttpsGetOptions {
  /** The address to connect to (resolved by our own resolver) and the name to verify and send as Host. */
  readonly address: string;
  readonly host: string;
  readonly path: string;
  readonly port?: number;
  /** Trusted besides the system roots. */
  readonly extraCaPem?: string;
  readonly maxBytes: number;
  /** Longest silence on the socket (default 10 s). */
  readonly timeoutMs?: number;
  /** The whole fetch, from connecting to the last byte, ends after this long (default DEFAULT_FETCH_DEADLINE_MS). */
  readonly deadlineMs?: number;
}

/** A policy or configuration file is small: a fetch that takes longer than this is a server stalling us. */
export const DEFAULT_FETCH_DEADLINE_MS = 20_000;

/**
 * Fetches a small file over HTTPS with the certificate verified for `host`. Redirects are not followed (RFC 8461
 * §3.3 forbids them for MTA-STS; autoconfig has no need of them): a 3xx is an error.
 */
export function httpsGet(options: HttpsGetOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.address,
        port: options.port ?? 443,
        path: options.path,
        method: 'GET',
        servername: options.host,
        headers: { host: options.host },
        ...(options.extraCaPem ? { ca: [...rootCertificates, options.extraCaPem] } : {}),
        timeout: options.timeoutMs ?? 10_000,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          response.resume();
          reject(new Error(`HTTP ${status || '?'}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) req.destroy(new Error(`the file is larger than ${Math.round(options.maxBytes / 1024)} KB`));
          else chunks.push(chunk);
        });
        response.on('end', () => {
          clearTimeout(deadline);
          resolve(Buffer.concat(chunks));
        });
        response.on('error', reject);
      },
    );
    // An idle timeout alone lets a server drip one byte at a time for days: the whole fetch has a deadline too.
    const deadlineMs = options.deadlineMs ?? DEFAULT_FETCH_DEADLINE_MS;
    const deadline = setTimeout(() => req.destroy(new Error(`the fetch did not finish within its overall limit of ${Math.round(deadlineMs / 1000)} s`)), deadlineMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error(`the server sent nothing for ${Math.round((options.timeoutMs ?? 10_000) / 1000)} s`)));
    req.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    req.end();
  });
}
