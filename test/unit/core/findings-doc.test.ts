import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDINGS } from '../../../electron/core/posture/findings.js';

describe('finding ids', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  it('are all documented in the README with their severity', () => {
    for (const [id, { severity }] of Object.entries(FINDINGS)) expect(readme, id).toContain(`| \`${id}\` | ${severity} |`);
  });
  it('include the ids the posture issue names, spelled exactly', () => {
    const required = ['starttls.missing', 'starttls.injection', 'tls.version.tls1_0', 'tls.version.tls1_1', 'cert.untrusted', 'cert.expired', 'cert.expires-soon', 'cert.hostname-mismatch', 'ocsp.stapled', 'ocsp.not-stapled', 'requiretls.supported', 'requiretls.missing', 'requiretls.before-tls', 'auth.before-tls', 'pipelining.supported', 'pipeconnect.supported', 'mta-sts.enforce', 'mta-sts.testing', 'mta-sts.missing', 'mta-sts.mx-mismatch', 'dane.valid', 'dane.mismatch', 'dane.missing', 'dnssec.unsigned', 'tlsrpt.missing'];
    expect(Object.keys(FINDINGS)).toEqual(expect.arrayContaining(required));
  });
});
