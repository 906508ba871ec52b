/**
 * Dot-stuffing (RFC 5321 §4.5.2) as a stream, chunk by chunk, with the same output as `dotStuff` whatever the
 * chunking: every line ends in CRLF (a bare LF or a bare CR is a line break too), a line that begins with "."
 * gets another ".", and `end()` gives the terminating CRLF "." CRLF (after a last line that lacks its CRLF).
 */
export class DotStuffer {
  private atLineStart = true;
  /** The previous chunk ended in CR: an LF at the start of the next one belongs to it. */
  private skipLf = false;

  /** The stuffed form of the next chunk of content. */
  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    // Composed content almost always needs nothing: then the chunk itself goes out, without a copy.
    if (!this.skipLf && isClean(chunk, this.atLineStart)) {
      this.atLineStart = chunk[chunk.length - 1] === 0x0a;
      return chunk;
    }
    const out: Buffer[] = [];
    let i = 0;
    if (this.skipLf) {
      this.skipLf = false;
      if (chunk[0] === 0x0a) i = 1;
    }
    while (i < chunk.length) {
      if (this.atLineStart && chunk[i] === 0x2e) out.push(DOT);
      const lf = chunk.indexOf(0x0a, i);
      const cr = chunk.indexOf(0x0d, i);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) {
        out.push(chunk.subarray(i));
        this.atLineStart = false;
        break;
      }
      out.push(chunk.subarray(i, end), CRLF);
      this.atLineStart = true;
      if (chunk[end] === 0x0d) {
        if (end + 1 < chunk.length) i = chunk[end + 1] === 0x0a ? end + 2 : end + 1;
        else {
          this.skipLf = true;
          i = end + 1;
        }
      } else i = end + 1;
    }
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  /** What ends the data: the last line's CRLF when it had none, then "." CRLF. */
  end(): Buffer {
    return this.atLineStart ? END_OF_DATA : Buffer.concat([CRLF, END_OF_DATA]);
  }
}

/**
 * True when stuffing would not change the chunk: every CR is followed by LF, every LF follows a CR, no line of it
 * begins with "." (the first only counts when the chunk starts a line) and it does not end in a CR.
 */
export function isClean(chunk: Buffer, atLineStart: boolean): boolean {
  if (atLineStart && chunk[0] === 0x2e) return false;
  let pairs = 0;
  for (let cr = chunk.indexOf(0x0d); cr !== -1; cr = chunk.indexOf(0x0d, cr + 2)) {
    if (chunk[cr + 1] !== 0x0a || chunk[cr + 2] === 0x2e) return false;
    pairs += 1;
  }
  let lfs = 0;
  for (let lf = chunk.indexOf(0x0a); lf !== -1; lf = chunk.indexOf(0x0a, lf + 1)) lfs += 1;
  return lfs === pairs;
}

const DOT = Buffer.from('.');
const CRLF = Buffer.from('\r\n');
const END_OF_DATA = Buffer.from('.\r\n');
