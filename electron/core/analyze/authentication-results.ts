import type { StatedResult } from '../../../shared/types/delivered.js';

/** At most this many results are read from one field (a real one has a handful). */
const MAX_RESULTS = 64;

/**
 * Splits a header value on `;` outside quoted strings and comments, dropping comments (RFC 5322 CFWS), in one
 * pass. Unbalanced quotes or parentheses are reported, and the text so far is kept.
 */
function splitResinfo(value: string): { parts: string[]; problem?: string } {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\' && (quoted || depth > 0)) {
      if (quoted) current += value.slice(i, i + 2);
      i++;
      continue;
    }
    if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
      continue;
    }
    if (quoted) {
      current += c;
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '(') {
      depth = 1;
      current += ' ';
    } else if (c === '"') {
      quoted = true;
      current += c;
    } else if (c === ';') {
      parts.push(current.trim());
      current = '';
    } else current += c;
  }
  parts.push(current.trim());
  if (depth > 0) return { parts, problem: 'a comment is not closed' };
  if (quoted) return { parts, problem: 'a quoted string is not closed' };
  return { parts };
}

const unquote = (v: string): string => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/** `key = value` pairs of one resinfo, values possibly quoted. */
function pairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  const pattern = /([A-Za-z0-9_.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)/g;
  for (const m of text.matchAll(pattern)) out.push([(m[1] as string).toLowerCase(), unquote(m[2] as string)]);
  return out;
}

/**
 * RFC 8601 §2.2 `Authentication-Results: authserv-id [version]; method=result [reason=…] [ptype.property=value…];
 * …` and RFC 8617 §4.1.1's `ARC-Authentication-Results: i=N; authserv-id; …`. Comments are dropped, never read as
 * results; `none` (no result) gives an empty list.
 */
export function parseAuthenticationResults(value: string, arc: boolean): { authservId: string; instance?: number; results: StatedResult[]; problem?: string } {
  const { parts, problem } = splitResinfo(value.slice(0, 16_000));
  let instance: number | undefined;
  if (arc) {
    const first = /^i\s*=\s*(\d{1,3})$/i.exec(parts[0] ?? '');
    if (first) {
      instance = Number(first[1]);
      parts.shift();
    }
  }
  // authserv-id, optionally followed by a version number.
  const authservId = (parts.shift() ?? '').split(/\s+/)[0] ?? '';
  const results: StatedResult[] = [];
  let unreadable = 0;
  for (const part of parts) {
    if (part === '' || /^none$/i.test(part)) continue;
    if (results.length >= MAX_RESULTS) break;
    const head = /^([A-Za-z0-9_-]+)(?:\s*\/\s*\d+)?\s*=\s*([A-Za-z0-9_-]+)(.*)$/s.exec(part);
    if (!head) {
      unreadable++;
      continue;
    }
    const properties: Record<string, string> = Object.create(null) as Record<string, string>;
    let reason: string | undefined;
    for (const [key, v] of pairs(head[3] as string)) {
      if (key === 'reason') reason = v;
      else if (key.includes('.') && !(key in properties)) properties[key] = v;
    }
    results.push({ method: (head[1] as string).toLowerCase(), result: (head[2] as string).toLowerCase(), ...(reason !== undefined ? { reason } : {}), properties: { ...properties } });
  }
  const problems = [problem, !authservId || authservId.includes('=') ? 'it names no authserv-id' : undefined, unreadable ? `${unreadable} result${unreadable === 1 ? '' : 's'} could not be read` : undefined].filter(Boolean);
  return { authservId: authservId.includes('=') ? '' : authservId, ...(instance !== undefined ? { instance } : {}), results, ...(problems.length ? { problem: problems.join('; ') } : {}) };
}
