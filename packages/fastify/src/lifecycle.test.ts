import { once } from 'node:events';
import { connect, type ClientHttp2Session } from 'node:http2';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import { createChannel, type SseCloseReason } from '@sse/core';
import { describeCrossOrigin, expectHttp2ClientLeave, openRawSse, waitUntil } from '@sse/test-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ssePlugin } from './index';

let app: FastifyInstance | undefined;
let session: ClientHttp2Session | undefined;

afterEach(async () => {
  session?.destroy();
  await app?.close();
  app = session = undefined;
});

async function start(instance: FastifyInstance): Promise<string> {
  app = instance;
  await instance.listen({ port: 0, host: '127.0.0.1' });
  const address = instance.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}

describeCrossOrigin({
  name: '@fastify/cors',
  async start({ origin, channel, handler }) {
    const instance = Fastify();
    await instance.register(fastifyCors, { origin, credentials: true });
    await instance.register(ssePlugin, { heartbeat: false });
    instance.get('/events', (request, reply) =>
      reply.sse({ channel }, (stream) => handler(stream, request.headers.cookie)),
    );
    const url = await start(instance);
    app = undefined; // the suite closes it
    return { url, close: () => instance.close() };
  },
});

describe('ssePlugin in the fastify lifecycle', () => {
  it('lets an onRequest hook refuse the request: a 401 opens no stream', async () => {
    let opened = 0;
    const instance = Fastify();
    await instance.register(ssePlugin, { heartbeat: false });
    instance.addHook('onRequest', async (request, reply) => {
      if (request.headers.authorization !== 'Bearer ok')
        await reply.code(401).send({ error: 'unauthorized' });
    });
    instance.get('/events', (_request, reply) => reply.sse(() => void opened++));
    const url = await start(instance);

    const refused = await openRawSse(`${url}/events`);
    await refused.ended;
    const allowed = await openRawSse(`${url}/events`, { headers: { authorization: 'Bearer ok' } });

    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toContain('application/json');
    expect(JSON.parse(refused.text())).toEqual({ error: 'unauthorized' });
    expect(allowed.status).toBe(200);
    await waitUntil(() => opened === 1, 'the allowed stream opened');
    allowed.close();
  });

  it('runs onResponse hooks when the stream ends', async () => {
    const responses: { url: string; statusCode: number }[] = [];
    const instance = Fastify();
    await instance.register(ssePlugin, { heartbeat: false });
    instance.addHook('onResponse', async (request, reply) => {
      responses.push({ url: request.url, statusCode: reply.statusCode });
    });
    instance.get('/events', (_request, reply) =>
      reply.sse(async (stream) => {
        await stream.send('only one');
        stream.close();
      }),
    );
    const url = await start(instance);

    const res = await openRawSse(`${url}/events`);
    await res.ended;

    expect(res.events.map((e) => e.data)).toEqual(['only one']);
    await waitUntil(() => responses.length === 1, 'onResponse ran');
    expect(responses).toEqual([{ url: '/events', statusCode: 200 }]);
  });

  it('ends every open stream on app.close(), which resolves while clients are connected', async () => {
    const reasons: SseCloseReason[] = [];
    const instance = Fastify();
    await instance.register(ssePlugin, { heartbeat: false });
    instance.get('/events', (_request, reply) =>
      reply.sse((stream) => void stream.onClose((reason) => reasons.push(reason))),
    );
    const url = await start(instance);
    const clients = await Promise.all([openRawSse(`${url}/events`), openRawSse(`${url}/events`)]);
    await waitUntil(() => clients.every((c) => c.text().length > 0), 'both streams opened');

    await instance.close();
    app = undefined;

    await Promise.all(clients.map((client) => client.ended));
    expect(reasons).toEqual(['server', 'server']);
  });

  it('ends at once a stream that opens while app.close() is under way', async () => {
    const channel = createChannel();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let lookups = 0;
    let handled = 0;
    let preClosed = false;
    const instance = Fastify();
    await instance.register(ssePlugin, { heartbeat: false });
    // Runs after the plugin's own preClose hook (hooks run in the order they were added).
    instance.addHook('preClose', (done) => {
      preClosed = true;
      done();
    });
    instance.get('/events', (_request, reply) =>
      reply.sse(
        {
          // A slow lookup: the server starts closing before the stream can open.
          channel: async () => {
            lookups++;
            await gate;
            return channel;
          },
        },
        () => void handled++,
      ),
    );
    const url = await start(instance);
    const pending = openRawSse(`${url}/events`, { timeoutMs: 30_000 });
    await waitUntil(() => lookups === 1, 'the request reaches the channel lookup');

    const closing = instance.close();
    app = undefined;
    await waitUntil(() => preClosed, 'the preClose hooks ran');
    release();

    const client = await pending;
    await client.ended;
    await closing;
    expect(client.status).toBe(200);
    expect(client.text()).toBe(': \n\n');
    expect(handled).toBe(0);
    expect(channel.size).toBe(0);
  });

  it('closes streams of a child context on app.close() too', async () => {
    const reasons: SseCloseReason[] = [];
    const instance = Fastify();
    await instance.register(async (child) => {
      await child.register(ssePlugin, { heartbeat: false });
      child.get('/events', (_request, reply) =>
        reply.sse((stream) => void stream.onClose((reason) => reasons.push(reason))),
      );
    });
    const url = await start(instance);
    const client = await openRawSse(`${url}/events`);
    await client.waitForText((text) => text.length > 0);

    await instance.close();
    app = undefined;

    await client.ended;
    expect(reasons).toEqual(['server']);
  });

  it('decorates only the context it is registered in and its children', async () => {
    const seen: Record<string, string> = {};
    const instance = Fastify();
    await instance.register(async (child) => {
      await child.register(ssePlugin);
      child.get('/inside', async (_request, reply) => (seen.inside = typeof reply.sse));
      await child.register((grandchild, _options, done) => {
        grandchild.get('/nested', async (_request, reply) => (seen.nested = typeof reply.sse));
        done();
      });
    });
    instance.get('/outside', async (_request, reply) => (seen.outside = typeof reply.sse));
    app = instance;

    for (const path of ['/inside', '/nested', '/outside']) await instance.inject(path);

    expect(seen).toEqual({ inside: 'function', nested: 'function', outside: 'undefined' });
  });

  it('is not buffered by @fastify/compress', async () => {
    const channel = createChannel();
    const instance = Fastify();
    await instance.register(fastifyCompress, { global: true, threshold: 0 });
    await instance.register(ssePlugin, { heartbeat: false });
    instance.get('/events', (_request, reply) => reply.sse({ channel }));
    const url = await start(instance);

    const res = await openRawSse(`${url}/events`, { headers: { 'accept-encoding': 'gzip, br' } });
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    await channel.publish('first', { id: '1' });
    await channel.publish('second', { id: '2' });

    expect(res.headers['content-encoding']).toBeUndefined();
    expect((await res.waitForEvents(2)).map((e) => e.data)).toEqual(['first', 'second']);
    res.close();
  });

  it('serves HTTP/2 (fastify({ http2: true })) without connection-specific headers', async () => {
    const channel = createChannel();
    const reasons: SseCloseReason[] = [];
    let responses = 0;
    const instance = Fastify({ http2: true });
    await instance.register(ssePlugin, { heartbeat: false });
    instance.addHook('onResponse', (_request, _reply, done) => {
      responses++;
      done();
    });
    instance.get('/events', (_request, reply) =>
      reply.sse({ channel }, (stream) => void stream.onClose((reason) => reasons.push(reason))),
    );
    const url = await start(instance as unknown as FastifyInstance);

    await expectHttp2ClientLeave(`${url}/events`, channel, reasons);
    // node:http2 emits 'finish' for a closed stream by itself: onResponse runs, once.
    await waitUntil(() => responses === 1, 'onResponse ran after the client left');
  });

  it('ends HTTP/2 streams on app.close(), which resolves while the session is open', async () => {
    const instance = Fastify({ http2: true });
    await instance.register(ssePlugin, { heartbeat: false });
    instance.get('/events', (_request, reply) => reply.sse());
    const url = await start(instance as unknown as FastifyInstance);
    session = connect(url);
    const request = session.request({ ':path': '/events' });
    await once(request, 'response');
    request.resume();
    const ended = once(request, 'end');

    await instance.close();
    app = undefined;

    await ended;
  });
});
