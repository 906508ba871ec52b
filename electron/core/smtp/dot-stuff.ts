/**
 * Prepares message content for DATA (RFC 5321 §4.5.2): every line ends in CRLF, a line that begins with "."
 * gets another ".", and the content ends with CRLF "." CRLF. Works on bytes so 8-bit content passes unchanged.
 */
export function dotStuff(content: Buffer): Buffer {
  const out: Buffer[] = [];
  let lineStart = 0;
  const pushLine = (end: number): void => {
    if (content[lineStart] === 0x2e) out.push(Buffer.from('.'));
    out.push(content.subarray(lineStart, end), CRLF);
  };
  for (let i = 0; i < content.length; i++) {
    const byte = content[i];
    if (byte === 0x0a) {
      const end = i > lineStart && content[i - 1] === 0x0d ? i - 1 : i;
      pushLine(end);
      lineStart = i + 1;
    } else if (byte === 0x0d && content[i + 1] !== 0x0a) {
      // A bare CR is a line break too; never let it reach the wire on its own.
      pushLine(i);
      lineStart = i + 1;
    }
  }
  if (lineStart < content.length) pushLine(content.length);
  out.push(END_OF_DATA);
  return Buffer.concat(out);
}

const CRLF = Buffer.from('\r\n');
const END_OF_DATA = Buffer.from('.\r\n');
