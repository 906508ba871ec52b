import { describe, expect, it } from 'vitest';
import { dotStuff } from '../../../../electron/core/smtp/dot-stuff.js';

const stuff = (s: string): string => dotStuff(Buffer.from(s, 'latin1')).toString('latin1');

describe('dot-stuffing (RFC 5321 §4.5.2)', () => {
  it('doubles a leading dot and terminates with CRLF.CRLF', () => {
    expect(stuff('a\r\n.b\r\n..c\r\n')).toBe('a\r\n..b\r\n...c\r\n.\r\n');
  });
  it('ends an unterminated last line', () => {
    expect(stuff('last line')).toBe('last line\r\n.\r\n');
  });
  it('turns bare LF and bare CR into CRLF so no line can end the data early', () => {
    expect(stuff('a\n.\nb\rc')).toBe('a\r\n..\r\nb\r\nc\r\n.\r\n');
  });
  it('keeps 8-bit bytes', () => {
    const out = dotStuff(Buffer.from([0xc3, 0xbc, 0x0d, 0x0a]));
    expect([...out]).toEqual([0xc3, 0xbc, 0x0d, 0x0a, 0x2e, 0x0d, 0x0a]);
  });
  it('an empty message is just the terminator', () => {
    expect(stuff('')).toBe('.\r\n');
  });
});
