import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { makeEvent } from '../payload';
import { closeServer, listenServer } from './listen';
import { nextTurn, singleCount, singlePerTurn, type BenchTarget } from './types';

/** Peer: Hono's own `streamSSE` helper on @hono/node-server, one `writeSSE` per client. */
export function createTarget(): BenchTarget {
  const clients = new Set<SSEStreamingApi>();
  const app = new Hono();
  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      clients.add(stream);
      // The callback's end closes the stream: hold it open until the client leaves.
      await new Promise<void>((resolve) => stream.onAbort(resolve));
      clients.delete(stream);
    }),
  );
  app.get('/single', (c) =>
    streamSSE(c, async (stream) => {
      const n = singleCount(c.req.url);
      const perTurn = singlePerTurn(c.req.url);
      for (let seq = 1; seq <= n && !stream.aborted; seq++) {
        await stream.writeSSE({ id: String(seq), data: JSON.stringify(makeEvent(seq).data) });
        if (perTurn) await nextTurn();
      }
    }),
  );
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  return {
    listen: (backlog) => listenServer(server, backlog),
    broadcast(event) {
      const data = JSON.stringify(event.data);
      const id = String(event.seq);
      for (const stream of clients) void stream.writeSSE({ id, data });
    },
    subscribers: () => clients.size,
    close: () => closeServer(server),
  };
}
