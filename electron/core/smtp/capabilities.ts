import type { SmtpReplyData } from '../../../shared/types/errors.js';

/** EHLO keywords (upper-cased) with their parameters, from one EHLO reply (RFC 5321 §4.1.1.1). */
export type Capabilities = ReadonlyMap<string, readonly string[]>;

/** Parses an EHLO reply; the first line is the server's greeting, each later line an extension. */
export function parseCapabilities(reply: SmtpReplyData): Capabilities {
  const map = new Map<string, readonly string[]>();
  for (const line of reply.lines.slice(1)) {
    const [keyword, ...params] = line.trim().split(/\s+/);
    if (!keyword) continue;
    // Old servers advertise "AUTH=PLAIN LOGIN" beside or instead of "AUTH PLAIN LOGIN".
    const [name, inline] = keyword.toUpperCase().split('=', 2) as [string, string | undefined];
    const values = [...(inline ? [inline] : []), ...params.map((p) => p.toUpperCase())];
    const existing = map.get(name) ?? [];
    map.set(name, [...existing, ...values.filter((v) => !existing.includes(v))]);
  }
  return map;
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
