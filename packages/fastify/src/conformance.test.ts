import { describeConformance, type SseTarget } from '@sse/test-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { ssePlugin } from './index';

// @sse/fastify on fastify 5, over HTTP/1.1 and cleartext HTTP/2 (`fastify({ http2: true })`).
const target: SseTarget = {
  name: '@sse/fastify on fastify 5',
  http2: true,
  async start({ options, handler, http2 }) {
    const app = (http2 ? Fastify({ http2: true }) : Fastify()) as FastifyInstance;
    await app.register(ssePlugin);
    app.get('/events', (_request, reply) =>
      reply.sse(options, handler && ((stream) => handler(stream))),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
    return { url: `http://127.0.0.1:${address.port}/events`, close: () => app.close() };
  },
};

describeConformance(target);
