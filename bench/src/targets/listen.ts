import type { Server } from 'node:http';
import type { BenchTarget } from './types';

/** Listens on 127.0.0.1 with a large accept backlog (thousands of clients connect at once). */
export function listenServer(server: Server, backlog: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

/** Closes a server, dropping its open (never-ending) SSE connections. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A target serving one `@sse/core` channel from a node:http server (ours on every framework). */
export function channelTarget(
  server: Server,
  channel: { publish(data: unknown): Promise<string>; readonly size: number },
): BenchTarget {
  return {
    listen: (backlog) => listenServer(server, backlog),
    broadcast(event) {
      void channel.publish(event.data);
    },
    subscribers: () => channel.size,
    close: () => closeServer(server),
  };
}
