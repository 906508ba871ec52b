import type { SmtpReplyData } from '../../../shared/types/errors.js';

/** EHLO keywords (upper-cased) with their parameters, from one EHLO reply (RFC 5321 §4.1.1.1). */
export type Capabilities = ReadonlyMap<string, readonly string[]>;

/** Parses an EHLO reply; the first line is the server's greeting, each later line an extension. */
export function parseCapabilities(reply: SmtpReplyData): Capabilities {
  // Sets while reading: a hostile EHLO of 512 long lines repeating one keyword stays linear.
  const sets = new Map<string, Set<string>>();
  for (const line of reply.lines.slice(1)) {
    const [keyword, ...params] = line.trim().split(/\s+/);
    if (!keyword) continue;
    // Old servers advertise "AUTH=PLAIN LOGIN" beside or instead of "AUTH PLAIN LOGIN".
    const [name, inline] = keyword.toUpperCase().split('=', 2) as [string, string | undefined];
    const values = sets.get(name) ?? new Set<string>();
    sets.set(name, values);
    if (inline) values.add(inline);
    for (const p of params) values.add(p.toUpperCase());
  }
  return new Map([...sets].map(([name, values]) => [name, [...values]]));
}

/** The extension lines as the server wrote them, for the report. */
export function capabilityLines(reply: SmtpReplyData): string[] {
  return reply.lines.slice(1).map((l) => l.trim()).filter(Boolean);
}

/** The SIZE limit in bytes, when the server states one (RFC 1870); 0 means "no fixed limit". */
export function sizeLimit(capabilities: Capabilities): number | undefined {
  const value = capabilities.get('SIZE')?.[0];
  if (value === undefined) return undefined;
  const limit = Number(value);
  return Number.isFinite(limit) && limit > 0 ? limit : undefined;
}
