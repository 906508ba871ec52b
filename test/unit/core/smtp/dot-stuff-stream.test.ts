import { describe, expect, it } from 'vitest';
import { dotStuff } from '../../../../electron/core/smtp/dot-stuff.js';
import { DotStuffer } from '../../../../electron/core/smtp/dot-stuff-stream.js';

const streamed = (content: Buffer, cuts: readonly number[]): Buffer => {
  const stuffer = new DotStuffer();
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, content.length]) {
    out.push(stuffer.push(content.subarray(at, cut)));
    at = cut;
  }
  out.push(stuffer.end());
  return Buffer.concat(out);
};

describe('dot-stuffing as a stream', () => {
  it('gives exactly what dotStuff gives, however the content is cut', () => {
    const cases = ['', '.', 'a', '.\r\n', 'a\r\n.b\r\n..c', '\r', '\n', '\r\r\n.', 'x\r', '.\n.\r.', 'end without newline', 'é.\r\n.ü'];
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = ['.', '\r', '\n', 'a', 'b', '\r\n', '..', 'é'];
    for (let n = 0; n < 400; n++) cases.push(Array.from({ length: Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    for (const text of cases) {
      const content = Buffer.from(text, 'utf8');
      const expected = dotStuff(content);
      // Every single cut point, and a few random sets of cuts.
      for (let cut = 0; cut <= content.length; cut++) expect(streamed(content, [cut]).equals(expected), JSON.stringify({ text, cut })).toBe(true);
      for (let k = 0; k < 5; k++) {
        const cuts = Array.from({ length: 3 }, () => Math.floor(random() * (content.length + 1))).sort((a, b) => a - b);
        expect(streamed(content, cuts).equals(expected), JSON.stringify({ text, cuts })).toBe(true);
      }
    }
  });
});

describe('dot-stuffing without copies', () => {
  it('hands back a chunk that needs nothing as it is, and copies one that does', () => {
    const stuffer = new DotStuffer();
    const clean = Buffer.from('Subject: x\r\n\r\nline one\r\nline two\r\n');
    expect(stuffer.push(clean)).toBe(clean);
    // The previous chunk ended a line: a leading dot now needs stuffing.
    const dotted = Buffer.from('.hidden\r\n');
    expect(stuffer.push(dotted).toString()).toBe('..hidden\r\n');
    const partial = Buffer.from('no line end yet');
    expect(stuffer.push(partial)).toBe(partial);
    // Mid-line, a dot is just a dot.
    const mid = Buffer.from('.still the same line\r\n');
    expect(stuffer.push(mid)).toBe(mid);
    expect(stuffer.push(Buffer.from('bare\nLF')).toString()).toBe('bare\r\nLF');
    expect(stuffer.push(Buffer.from('ends in CR\r')).toString()).toBe('ends in CR\r\n');
    expect(stuffer.push(Buffer.from('\n.next')).toString()).toBe('..next');
  });
});
