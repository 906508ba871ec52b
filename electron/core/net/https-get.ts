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
  readonly timeoutMs?: number;
}

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
        response.on('end', () => resolve(Buffer.concat(chunks)));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
