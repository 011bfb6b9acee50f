import { createChannel } from '@sse/core';
import { ssePlugin } from '@sse/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { PAGE_HTML } from './page';

/** The example app: a page at `/`, a clock at `/clock`, a channel at `/events`, `POST /publish`. */
export function createApp(): FastifyInstance {
  const channel = createChannel({ history: 100 });
  const app = Fastify({ logger: process.env.NODE_ENV !== 'test' });
  void app.register(ssePlugin, { retry: 2000 });
  // app.close() ends every open stream (the plugin does); the channel is closed with it.
  app.addHook('onClose', (_instance, done) => {
    channel.close();
    done();
  });

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE_HTML));

  // One event per second for each client, stopped when the client leaves.
  app.get('/clock', async (_request, reply) =>
    reply.sse((stream) => {
      const tick = () => void stream.send({ now: new Date().toISOString() }, { event: 'tick' });
      tick();
      const timer = setInterval(tick, 1000);
      stream.onClose(() => clearInterval(timer));
    }),
  );

  // Every client of /events receives what is published, and what it missed on reconnect.
  app.get('/events', async (_request, reply) => reply.sse({ channel }));

  app.post('/publish', async (request, reply) => {
    if (request.body === undefined || request.body === null) {
      return reply.code(400).send({ error: 'expected a JSON body' });
    }
    const id = await channel.publish(request.body);
    return reply.code(202).send({ id });
  });

  return app;
}
