/**
 * Makes text safe to show in a terminal: every control character (C0, DEL, C1) and every invisible
 * direction-changing character is replaced by a visible escape (`\x1b`, `\u202e`), so text a server or a
 * certificate supplies can never move the cursor, recolour the screen or reorder what is shown. Only renderers
 * for people use it; JSON output stays exact.
 */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A deep copy of plain data with every string passed through `visible`: what a renderer reads is safe by construction. */
export function visibleData<T>(value: T): T {
  if (typeof value === 'string') return visible(value) as T;
  if (Array.isArray(value)) return value.map((v) => visibleData(v)) as T;
  if (value && typeof value === 'object') {
    if (Buffer.isBuffer(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visibleData(v)])) as T;
  }
  return value;
}
