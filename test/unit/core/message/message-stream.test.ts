import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../../../electron/core/message/compose-message.js';
import { AttachmentFiles, BlockPool, base64Length, measureMessage, messageBytes, planWire, referenceMessage, wireChunks } from '../../../../electron/core/message/message-stream.js';
import { Encoder } from 'nodemailer/lib/base64';

const dir = mkdtempSync(join(tmpdir(), 'hoplight-stream-'));
const file = (name: string, size: number): string => {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 256)));
  return path;
};

describe('the message as a stream', () => {
  it('base64Length is what nodemailer’s encoder writes, for every size around the line and group boundaries', async () => {
    for (const n of [0, 1, 2, 3, 4, 56, 57, 58, 59, 113, 114, 115, 1000, 65_536, 1_000_001]) {
      const encoder = new Encoder();
      const chunks: Buffer[] = [];
      encoder.on('data', (c: Buffer) => chunks.push(c));
      await new Promise((done) => {
        encoder.on('end', done);
        encoder.end(Buffer.alloc(n, 1));
      });
      expect(base64Length(n), String(n)).toBe(Buffer.concat(chunks).length);
    }
  });

  it('is measured exactly without reading an attachment, whatever the sizes, the choice and the text', async () => {
    const cases = [
      { attachments: [] as number[], text: 'Plain', security: 'default' as const },
      { attachments: [0], text: 'Empty file', security: 'require-tls' as const },
      { attachments: [1, 2, 3, 57, 58], text: 'Größe — ünïcode', security: 'tls-optional' as const },
      { attachments: [100_000, 1_234_567], text: '.leading dot\r\n.\r\nand more', security: 'default' as const },
    ];
    for (const [k, c] of cases.entries()) {
      const attachments = c.attachments.map((size, i) => ({ path: file(`f${k}-${i}.bin`, size), filename: `scan ${i}.pdf` }));
      const checked = await checkMessage({ from: 'Ann <ann@example.test>', to: ['bob@example.test'], bcc: ['hidden@example.test'], subject: 'Report', text: c.text, attachments }, c.security);
      const plan = planWire(checked);
      const shape = await measureMessage(plan);
      const bytes = await messageBytes(plan);
      expect(shape.length, JSON.stringify(c)).toBe(bytes.length);
      expect(shape.has8BitContent).toBe(bytes.some((b) => b > 0x7f));
      // Twice the same plan, the same bytes: what was measured is what is sent.
      expect((await messageBytes(plan)).equals(bytes)).toBe(true);
      const parsed = await simpleParser(bytes);
      expect(parsed.attachments.map((a) => a.size)).toEqual(c.attachments);
      expect(parsed.headers.has('bcc')).toBe(false);
      if (c.security === 'tls-optional') expect(bytes.toString('latin1')).toMatch(/(^|\r\n)TLS-Required: No\r\n/);
    }
  });

  it('a file that changed after it was attached is refused when opened; one that changes while it is read fails the stream', async () => {
    const path = file('changing.bin', 300_000);
    const checked = await checkMessage({ from: 'a@example.test', to: ['b@example.test'], subject: 's', text: 't', attachments: [{ path }] }, 'default');
    appendFileSync(path, 'more');
    await expect(AttachmentFiles.open(checked)).rejects.toMatchObject({ code: 'EINPUT', field: 'attachments[0]' });

    const again = await checkMessage({ from: 'a@example.test', to: ['b@example.test'], subject: 's', text: 't', attachments: [{ path }] }, 'default');
    const files = await AttachmentFiles.open(again);
    const plan = planWire(again);
    const stream = wireChunks((await measureMessage(plan)).skeleton, files, new BlockPool());
    let first = true;
    const read = (async () => {
      for await (const _chunk of stream as AsyncIterable<Buffer>) {
        if (first) appendFileSync(path, 'grown while sending');
        first = false;
      }
    })();
    await expect(read).rejects.toMatchObject({ code: 'EINPUT', field: 'attachments[0]', message: expect.stringMatching(/changed while it was being sent/) });
    await files.close();
  });
});

describe('the wire bytes against MailComposer', () => {
  it('are byte for byte what MailComposer writes with the real files, around every block and line boundary', async () => {
    const block = 57 * 768;
    const sizes = [0, 1, 2, 3, 56, 57, 58, 114, block - 1, block, block + 1, block + 57, 2 * block, 3 * block + 5, 1_000_003];
    for (const size of sizes) {
      const checked = await checkMessage({ from: 'a@example.test', to: ['b@example.test'], subject: 'Sizes', text: `size ${size}`, attachments: [{ path: file(`s${size}.bin`, size) }, { path: file(`t${size}.bin`, (size * 3) % 1000) }] }, 'default');
      const plan = planWire(checked);
      const wire = await messageBytes(plan);
      const reference = await referenceMessage(plan);
      expect(wire.equals(reference), String(size)).toBe(true);
      expect((await measureMessage(plan)).length).toBe(wire.length);
    }
  });

  it('reuses a handful of buffers for a large file when the consumer hands them back', async () => {
    const checked = await checkMessage({ from: 'a@example.test', to: ['b@example.test'], subject: 'big', text: 'big', attachments: [{ path: file('big.bin', 5_000_000) }] }, 'default');
    const plan = planWire(checked);
    const { skeleton } = await measureMessage(plan);
    const files = await AttachmentFiles.open(checked);
    const pool = new BlockPool();
    const seen = new Set<ArrayBufferLike>();
    const copies: Buffer[] = [];
    for await (const chunk of wireChunks(skeleton, files, pool)) {
      copies.push(Buffer.from(chunk));
      seen.add(chunk.buffer);
      pool.release(chunk);
    }
    await files.close();
    expect(Buffer.concat(copies).equals(await referenceMessage(plan))).toBe(true);
    // The composed parts, the one input buffer's worth of blocks: never one buffer per block.
    expect(seen.size).toBeLessThanOrEqual(4);
  });
});

describe('line endings', () => {
  it('the text is sent with CRLF line ends whatever it was typed with, so nothing is added on the wire', async () => {
    const checked = await checkMessage({ from: 'a@example.test', to: ['b@example.test'], subject: 's', text: 'one\ntwo\r\nthree\rfour\n' }, 'default');
    const bytes = await messageBytes(planWire(checked));
    expect(bytes.toString('latin1').replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(bytes.toString('latin1')).toContain('one\r\ntwo\r\nthree\r\nfour\r\n');
  });
});
