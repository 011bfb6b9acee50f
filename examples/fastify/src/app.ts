import { createChannel } from '@sse/core';
import { examplePage, readPublishBody, runClock } from '@sse/example-shared';
import { ssePlugin } from '@sse/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * The example app: a page at `/`, a clock stream at `/clock` (one `tick` event per second),
 * a channel at `/events`, and `POST /publish` (a JSON body) that publishes to it.
 */
export function createApp(): FastifyInstance {
  const channel = createChannel({ history: 100 });
  const app = Fastify({ logger: process.env.NODE_ENV !== 'test' });
  void app.register(ssePlugin, { retry: 2000 });
  // app.close() ends every open stream (the plugin does); the channel is closed with it.
  app.addHook('onClose', (_instance, done) => {
    channel.close();
    done();
  });
  // Leave every body unread, so that /publish applies the rule the other examples share
  // (Fastify's own parsers would accept text/plain and answer differently).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(examplePage('fastify')),
  );

  app.get('/clock', async (_request, reply) => reply.sse(runClock));

  // Reconnecting clients send Last-Event-ID and get what they missed from the history.
  app.get('/events', async (_request, reply) => reply.sse({ channel }));

  app.post('/publish', async (request, reply) => {
    const body = await readPublishBody(request.headers['content-type'], request.raw);
    if (!body.ok) return reply.code(body.status).send({ error: body.error });
    const id = await channel.publish(body.data);
    return reply.code(202).send({ id });
  });

  return app;
}
