import { createChannel } from '@sse/core';
import { ssePlugin } from '@sse/fastify';
import Fastify from 'fastify';
import { publishSingle, sendSingle } from './core';
import { channelOptions, type BenchTarget } from './types';

/** Ours on fastify 5: `app.register(ssePlugin)`, then `reply.sse({ channel })`. */
export async function createTarget(): Promise<BenchTarget> {
  const channel = createChannel(channelOptions());
  const app = Fastify({ logger: false });
  await app.register(ssePlugin);
  app.get('/events', (_request, reply) => reply.sse({ channel }));
  app.get('/single', (request, reply) => reply.sse((stream) => sendSingle(stream, request.url)));
  app.get('/channel-single', (request, reply) =>
    reply.sse((stream) => publishSingle(stream, request.url)),
  );
  return {
    async listen(backlog) {
      await app.listen({ port: 0, host: '127.0.0.1', backlog });
      const address = app.server.address();
      return typeof address === 'object' && address ? address.port : 0;
    },
    broadcast(event) {
      void channel.publish(event.data);
    },
    subscribers: () => channel.size,
    async close() {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
