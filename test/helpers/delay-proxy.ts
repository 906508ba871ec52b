import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that delays every byte by `oneWayMs` in each direction, in order, so a session
 * through it pays a real round-trip time. The upstream connection is opened `oneWayMs` after the client's, so the
 * server's greeting arrives one round trip after the client connected, as over a real network; the TCP handshake
 * itself is local, so whoever counts round trips adds one for it.
 */
export interface DelayProxy {
  readonly port: number;
  readonly oneWayMs: number;
  close(): Promise<void>;
}

export async function startDelayProxy(upstreamPort: number, oneWayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const later = (ms: number, run: () => void): void => void setTimeout(run, ms).unref();
  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    sockets.add(client);
    let upstream: Socket | undefined;
    const queued: { at: number; chunk: Buffer }[] = [];
    // Each direction keeps its order: a chunk leaves no earlier than the one before it.
    let clientSide = 0;
    let serverSide = 0;
    const toServer = (chunk: Buffer, at: number): void => {
      clientSide = Math.max(clientSide, at + oneWayMs);
      later(clientSide - Date.now(), () => upstream?.write(chunk));
    };
    client.on('data', (chunk: Buffer) => {
      if (upstream?.readyState === 'open') toServer(chunk, Date.now());
      else queued.push({ at: Date.now(), chunk });
    });
    client.on('error', () => upstream?.destroy());
    client.on('close', () => later(oneWayMs, () => upstream?.end()));
    later(oneWayMs, () => {
      if (client.destroyed) return;
      const socket = connect({ host: '127.0.0.1', port: upstreamPort }, () => {
        for (const { at, chunk } of queued.splice(0)) toServer(chunk, at);
      });
      socket.setNoDelay(true);
      upstream = socket;
      sockets.add(socket);
      socket.on('data', (chunk: Buffer) => {
        serverSide = Math.max(serverSide, Date.now() + oneWayMs);
        later(serverSide - Date.now(), () => {
          if (!client.destroyed) client.write(chunk);
        });
      });
      socket.on('error', () => client.destroy());
      socket.on('close', () => later(oneWayMs, () => client.end()));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    oneWayMs,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}

/**
 * Round trips a session spent through the proxy: whole round-trip times in its duration (what is left over is
 * local work: crypto, composing, which must stay under one round trip), plus the local TCP handshake.
 */
export function roundTripsOf(durationMs: number, proxy: DelayProxy): number {
  return Math.floor(durationMs / (2 * proxy.oneWayMs)) + 1;
}
