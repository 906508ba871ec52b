import type { DomainCheckResult } from '../../../shared/types/posture.js';
import type { ErrorData } from '../../../shared/types/errors.js';
import { toErrorData } from '../errors.js';
import { checkDomain, type DomainCheckOptions } from './domain-check.js';

/** One row of a batch: the domain's check, or why it could not be checked. Never the end of the batch. */
export type BatchRow = { readonly domain: string; readonly result: DomainCheckResult } | { readonly domain: string; readonly error: ErrorData };

/** How many domains are checked at once by default (each runs its MX checks in parallel too). */
export const DEFAULT_BATCH_CONCURRENCY = 8;

/** Reads a domains file: one per line, `#` starts a comment, blank lines skipped, duplicates dropped (first kept). */
export function parseDomainList(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const domain = raw.replace(/#.*$/, '').trim();
    if (!domain) continue;
    const key = domain.toLowerCase().replace(/\.$/, '');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(domain);
  }
  return out;
}

/**
 * Checks many domains with bounded concurrency, calling `onRow` as each finishes (so a thousand stream), in the
 * order they finish. A domain that fails (bad name, no resolver answer, a bug) is a row with its error.
 */
export async function checkDomains(domains: readonly string[], options: Omit<DomainCheckOptions, 'domain'> & { readonly concurrency?: number; readonly onRow: (row: BatchRow, done: number) => void }): Promise<BatchRow[]> {
  const { concurrency = DEFAULT_BATCH_CONCURRENCY, onRow, ...check } = options;
  const rows: BatchRow[] = new Array<BatchRow>(domains.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < domains.length) {
      const index = next++;
      const domain = domains[index] as string;
      let row: BatchRow;
      try {
        row = { domain, result: await checkDomain({ ...check, domain }) };
      } catch (error) {
        row = { domain, error: toErrorData(error) };
      }
      rows[index] = row;
      done += 1;
      onRow(row, done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, domains.length)) }, worker));
  return rows;
}

/** The summary of one row, as the batch table shows it: every cell says "could not check" rather than guess. */
export function summariseRow(row: BatchRow): { domain: string; mxDnssec: string; mtaSts: string; dane: string; requireTlsEveryMx: string; forecast: string } {
  if ('error' in row) return { domain: row.domain, mxDnssec: 'error', mtaSts: '', dane: '', requireTlsEveryMx: '', forecast: row.error.message };
  const r = row.result;
  const mxDnssec = r.mx.status !== 'completed' ? 'could not check' : r.mx.result.hosts.length === 0 ? 'no MX' : r.mx.result.authenticated ? 'signed' : 'unsigned';
  const mtaSts = r.mtaSts.status !== 'completed' ? 'could not check' : r.mtaSts.result.policy ? r.mtaSts.result.policy.mode : r.mtaSts.result.record ? 'invalid' : 'none';
  const danes = r.mxHosts.map((h) => h.dane);
  const dane =
    danes.length === 0
      ? '-'
      : danes.some((d) => d.status !== 'completed')
        ? 'could not check'
        : danes.every((d) => d.status === 'completed' && d.result.valid)
          ? 'valid'
          : danes.every((d) => d.status === 'completed' && d.result.records.length === 0)
            ? 'none'
            : 'partial or mismatch';
  const advertised = r.mxHosts.map((h) => (h.server.status === 'completed' && h.server.result.extensions.status === 'completed' ? h.server.result.extensions.result.requireTlsAfterTls : undefined));
  const requireTlsEveryMx = advertised.length === 0 ? '-' : advertised.some((a) => a === false) ? 'no' : advertised.every((a) => a === true) ? 'yes' : 'could not check';
  return { domain: r.domain, mxDnssec, mtaSts, dane, requireTlsEveryMx, forecast: r.forecast['require-tls'].verdict };
}
