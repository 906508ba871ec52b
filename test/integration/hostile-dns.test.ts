import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import { afterAll, describe, expect, it } from 'vitest';
import { createResolver } from '../../electron/core/dns/dns-client.js';
import { HoplightError } from '../../electron/core/errors.js';

// A hostile resolver on loopback: junk datagrams, answers to other queries, and a datagram from a stranger. None of
// it may crash the process (dns-packet throws on junk) or be taken as the answer; the query ends on its own timer.
const sockets: Socket[] = [];
afterAll(() => {
  for (const s of sockets) s.close();
});

async function resolverThat(answer: (query: Buffer, reply: (data: Buffer) => void, from: { port: number; address: string }) => void): Promise<number> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.on('message', (query, from) => answer(query, (data) => socket.send(data, from.port, from.address), from));
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
  return socket.address().port;
}

describe('a hostile DNS resolver', () => {
  it('junk datagrams, truncated packets and answers with the wrong id are dropped: ETIMEDOUT, no crash', async () => {
    const port = await resolverThat((query, reply) => {
      for (let i = 0; i < 50; i++) reply(randomBytes(1 + (i % 40)));
      reply(query.subarray(0, 7)); // a header cut short
      const decoded = dnsPacket.decode(query);
      reply(dnsPacket.encode({ type: 'response', id: ((decoded.id ?? 0) + 1) % 65536, flags: 0, questions: decoded.questions, answers: [{ type: 'A', name: 'x.test', data: '192.0.2.66' }] }));
    });
    const started = performance.now();
    const error = await createResolver({ host: '127.0.0.1', port }, 800).query('x.test', 'A').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoplightError);
    expect((error as HoplightError).code).toBe('ETIMEDOUT');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('a well-formed answer from another port (a spoofer on this machine) is not taken', async () => {
    const stranger = createSocket('udp4');
    sockets.push(stranger);
    await new Promise<void>((done) => stranger.bind(0, '127.0.0.1', done));
    // The resolver stays silent; the stranger answers the query, right id and all, from its own port.
    const port = await resolverThat((query, _reply, from) => {
      const decoded = dnsPacket.decode(query);
      stranger.send(dnsPacket.encode({ type: 'response', id: decoded.id, flags: dnsPacket.AUTHENTIC_DATA, questions: decoded.questions, answers: [{ type: 'A', name: 'x.test', data: '192.0.2.66' }] }), from.port, from.address);
    });
    const error = await createResolver({ host: '127.0.0.1', port }, 800).query('x.test', 'A').catch((e: unknown) => e);
    expect((error as HoplightError).code).toBe('ETIMEDOUT');
  });
});
