/** One address as typed, parsed for a chip: valid, or with the reason it is not. */
export interface TypedAddress {
  readonly text: string;
  readonly address?: string;
  readonly domain?: string;
  readonly problem?: string;
}

/**
 * Splits what was typed or pasted (`Ann <ann@example.org>, bob@example.net`) into addresses, respecting quoted
 * names and angle brackets, and checks each enough to mark a mistake at once. Main checks every address again,
 * strictly, before anything is sent.
 */
export function splitAddresses(input: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const char of input) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '<') angle = true;
    else if (!quoted && char === '>') angle = false;
    if (!quoted && !angle && (char === ',' || char === ';' || char === '\n')) {
      if (current.trim()) parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

const LOCAL = /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*|"[^"\r\n]*")$/u;
const DOMAIN = /^(?:(?:[A-Za-z0-9\u0080-\uffff](?:[A-Za-z0-9\u0080-\uffff-]{0,61}[A-Za-z0-9\u0080-\uffff])?)\.)+[A-Za-z0-9\u0080-\uffff-]{2,63}$|^\[[0-9A-Fa-f:.IPv6]+\]$/u;

/** Parses one typed address. */
export function parseTyped(text: string): TypedAddress {
  const angled = /^(.*)<([^<>]*)>\s*$/.exec(text);
  const address = (angled ? angled[2] : text)?.trim() ?? '';
  if (!angled && /\s/.test(address)) return { text, problem: 'has a space: write a name as Name <address>' };
  const at = address.lastIndexOf('@');
  if (at === -1) return { text, problem: 'has no @' };
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!local) return { text, problem: 'has nothing before the @' };
  if (!domain) return { text, problem: 'has no domain after the @' };
  if (!LOCAL.test(local)) return { text, problem: `the part before the @ ("${local}") is not valid` };
  if (!DOMAIN.test(domain)) return { text, problem: `"${domain}" is not a valid domain` };
  return { text, address, domain: domain.toLowerCase() };
}
