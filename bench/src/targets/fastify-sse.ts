import fastifySse, { type SSEReplyInterface } from '@fastify/sse';
import Fastify, { type FastifyReply } from 'fastify';
import { makeEvent } from '../payload';
import { nextTurn, singleCount, singlePerTurn, type BenchTarget } from './types';

// @sse/fastify, in the same TypeScript program, declares `reply.sse` as its own method.
const sseOf = (reply: FastifyReply) => (reply as unknown as { sse: SSEReplyInterface }).sse;

/** Peer: @fastify/sse on fastify 5, one `reply.sse.send()` per client. */
export async function createTarget(): Promise<BenchTarget> {
  const app = Fastify({ logger: false });
  await app.register(fastifySse, { heartbeatInterval: 15_000 });
  const clients = new Set<SSEReplyInterface>();
  app.get('/events', { sse: 'only' }, (_request, reply) => {
    const sse = sseOf(reply);
    sse.keepAlive();
    sse.onClose(() => clients.delete(sse));
    clients.add(sse);
    // Headers are written lazily on the first send: flush them so the client sees the stream open.
    sse.sendHeaders();
    reply.raw.flushHeaders();
    return Promise.resolve();
  });
  app.get('/single', { sse: 'only' }, async (request, reply) => {
    const n = singleCount(request.url);
    const perTurn = singlePerTurn(request.url);
    const sse = sseOf(reply);
    for (let seq = 1; seq <= n && sse.isConnected; seq++) {
      await sse.send({ id: String(seq), data: makeEvent(seq).data });
      if (perTurn) await nextTurn();
    }
  });
  return {
    async listen(backlog) {
      await app.listen({ port: 0, host: '127.0.0.1', backlog });
      const address = app.server.address();
      return typeof address === 'object' && address ? address.port : 0;
    },
    broadcast(event) {
      const message = { id: String(event.seq), data: event.data };
      for (const sse of clients) void sse.send(message);
    },
    subscribers: () => clients.size,
    async close() {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
