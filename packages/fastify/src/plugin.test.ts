import { createChannel, SseError, type SseCloseReason } from '@sse/core';
import { openRawSse, recordEventSource, waitUntil, type RecordingEventSource } from '@sse/test-kit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import fastifySseDefault, { fastifySse, ssePlugin } from './index';

let app: FastifyInstance | undefined;
let source: RecordingEventSource | undefined;

afterEach(async () => {
  source?.close();
  await app?.close();
  app = source = undefined;
});

function create(options: FastifyServerOptions = {}): FastifyInstance {
  app = Fastify(options);
  return app;
}

async function start(instance: FastifyInstance): Promise<string> {
  await instance.listen({ port: 0, host: '127.0.0.1' });
  const address = instance.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}

describe('fastifySse', () => {
  it('is the default export, and ssePlugin its alias', () => {
    expect(fastifySseDefault).toBe(fastifySse);
    expect(ssePlugin).toBe(fastifySse);
  });

  it('declares its name and fastify 5 to fastify-plugin', async () => {
    const meta = (fastifySse as unknown as Record<symbol, unknown>)[Symbol.for('plugin-meta')];
    expect(meta).toMatchObject({ name: '@sse/fastify', fastify: '5.x' });
    const app = create();
    await app.register(fastifySse);
    expect(app.hasPlugin('@sse/fastify')).toBe(true);
  });
});

describe('reply.sse', () => {
  it('streams events to a real EventSource from `return reply.sse(...)`', async () => {
    const channel = createChannel();
    const app = create();
    await app.register(ssePlugin);
    app.get('/events', async (_request, reply) => reply.sse({ channel }));
    const url = await start(app);

    source = recordEventSource(`${url}/events`, ['note']);
    await source.opened;
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    await channel.publish({ a: 1 }, { id: '1' });
    await channel.publish('hello', { event: 'note', id: '2' });

    expect(await source.waitFor(2)).toEqual([
      { type: 'message', data: '{"a":1}', lastEventId: '1' },
      { type: 'note', data: 'hello', lastEventId: '2' },
    ]);
  });

  it('sends the SSE headers and flushes a first comment at once', async () => {
    const app = create();
    await app.register(ssePlugin);
    app.get('/events', (_request, reply) => reply.sse({ heartbeat: false, retry: 1200 }));
    const url = await start(app);

    const res = await openRawSse(`${url}/events`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache, no-transform');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['content-length']).toBeUndefined();
    await res.waitForText((text) => text === ': \nretry: 1200\n\n');
    res.close();
  });

  it('accepts (handler), (options) and (options, handler), over the plugin defaults', async () => {
    const channel = createChannel();
    const app = create();
    await app.register(ssePlugin, { heartbeat: false, retry: 3000, channel });
    app.get('/handler', (_request, reply) =>
      reply.sse(async (stream) => {
        await stream.send('from handler');
      }),
    );
    app.get('/options', (_request, reply) => reply.sse({ retry: 1000 }));
    app.get('/both', (_request, reply) =>
      reply.sse({ retry: undefined, channel: [] }, (stream, request) => {
        void stream.send(`from ${request.url}`);
      }),
    );
    const url = await start(app);

    const handler = await openRawSse(`${url}/handler`);
    const options = await openRawSse(`${url}/options`);
    const both = await openRawSse(`${url}/both`);
    await waitUntil(() => channel.size === 2, 'the default channel subscribed two streams');
    await channel.publish('published');

    expect((await handler.waitForEvents(2)).map((e) => e.data)).toEqual([
      'from handler',
      'published',
    ]);
    expect(handler.retries).toEqual([3000]);
    expect((await options.waitForEvents(1)).map((e) => e.data)).toEqual(['published']);
    expect(options.retries).toEqual([1000]);
    expect((await both.waitForEvents(1)).map((e) => e.data)).toEqual(['from /both']);
    expect(both.retries).toEqual([3000]);
    for (const res of [handler, options, both]) res.close();
  });

  it('replays after the Last-Event-ID header, else the lastEventId query', async () => {
    const channel = createChannel();
    for (const n of [1, 2, 3]) await channel.publish(`event ${n}`, { id: String(n) });
    const app = create();
    await app.register(ssePlugin, { heartbeat: false });
    app.get('/events', (_request, reply) => reply.sse({ channel }));
    const url = await start(app);

    const fromHeader = await openRawSse(`${url}/events`, { headers: { 'last-event-id': '1' } });
    const fromQuery = await openRawSse(`${url}/events?lastEventId=2`);

    expect((await fromHeader.waitForEvents(2)).map((e) => e.id)).toEqual(['2', '3']);
    expect((await fromQuery.waitForEvents(1)).map((e) => e.id)).toEqual(['3']);
    fromHeader.close();
    fromQuery.close();
  });

  it('subscribes to the channels a function of the request returns', async () => {
    const rooms = new Map([
      ['red', createChannel()],
      ['blue', createChannel()],
    ]);
    const app = create();
    await app.register(ssePlugin, {
      heartbeat: false,
      channel: async (request) => {
        await Promise.resolve();
        const { room } = request.params as { room: string };
        return rooms.get(room);
      },
    });
    app.get('/rooms/:room', (_request, reply) => reply.sse());
    const url = await start(app);

    const red = await openRawSse(`${url}/rooms/red`);
    const green = await openRawSse(`${url}/rooms/green`);
    await waitUntil(() => rooms.get('red')!.size === 1, 'the red stream subscribed');
    expect(rooms.get('blue')!.size).toBe(0);
    await rooms.get('blue')!.publish('to blue');
    await rooms.get('red')!.publish('to red');

    expect((await red.waitForEvents(1)).map((e) => e.data)).toEqual(['to red']);
    expect(green.events).toEqual([]);
    red.close();
    green.close();
  });

  it('closes the stream with reason "client" and unsubscribes when the client leaves', async () => {
    const channel = createChannel();
    const reasons: SseCloseReason[] = [];
    const app = create();
    await app.register(ssePlugin, { heartbeat: false });
    app.get('/events', (_request, reply) =>
      reply.sse({ channel }, (stream) => void stream.onClose((reason) => reasons.push(reason))),
    );
    const url = await start(app);

    const res = await openRawSse(`${url}/events`);
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    res.close();

    await waitUntil(() => channel.size === 0, 'the stream unsubscribed');
    expect(reasons).toEqual(['client']);
  });

  it('keeps headers set by hooks with reply.header()', async () => {
    const app = create();
    await app.register(ssePlugin, { heartbeat: false });
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('x-trace-id', 'trace-1');
      reply.header('set-cookie', ['a=1', 'b=2']);
      reply.header('content-length', '5');
    });
    app.get('/events', (_request, reply) => reply.sse());
    const url = await start(app);

    const res = await openRawSse(`${url}/events`);

    expect(res.headers['x-trace-id']).toBe('trace-1');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    res.close();
  });
});

describe('reply.sse errors', () => {
  it('hands an error of the channel function to the error handler, opening no stream', async () => {
    let opened = 0;
    const app = create();
    await app.register(ssePlugin);
    app.setErrorHandler((error, _request, reply) => {
      void reply.code(503).send({ failed: (error as Error).message });
    });
    app.get('/events', (_request, reply) =>
      reply.sse(
        {
          channel: () => {
            throw new Error('no such room');
          },
        },
        () => void opened++,
      ),
    );

    const res = await app.inject('/events');

    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ failed: 'no such room' });
    expect(opened).toBe(0);
  });

  it('rejects bad options of a call with ERR_SSE_OPTIONS through the error handler', async () => {
    let seen: unknown;
    const app = create();
    await app.register(ssePlugin);
    app.setErrorHandler((error, _request, reply) => {
      seen = error;
      void reply.code(500).send('bad');
    });
    app.get('/events', (_request, reply) => reply.sse({ heartbeat: 0 }));

    const res = await app.inject('/events');

    expect(res.statusCode).toBe(500);
    expect(seen).toBeInstanceOf(SseError);
    expect((seen as SseError).code).toBe('ERR_SSE_OPTIONS');
  });

  it('rejects with ERR_SSE_HEADERS_SENT when the reply was already sent', async () => {
    let rejection: unknown;
    const app = create();
    await app.register(ssePlugin);
    app.get('/events', async (_request, reply) => {
      await reply.send('plain');
      await reply.sse().catch((error: unknown) => (rejection = error));
    });

    const res = await app.inject('/events');

    expect(res.body).toBe('plain');
    expect(rejection).toBeInstanceOf(SseError);
    expect((rejection as SseError).code).toBe('ERR_SSE_HEADERS_SENT');
  });

  it('rejects a second reply.sse() on the same reply with ERR_SSE_HEADERS_SENT', async () => {
    let rejection: unknown;
    const app = create();
    await app.register(ssePlugin, { heartbeat: false });
    app.get('/events', async (_request, reply) => {
      await reply.sse((stream) => stream.close());
      await reply.sse().catch((error: unknown) => (rejection = error));
    });

    const res = await app.inject('/events');

    expect(res.statusCode).toBe(200);
    expect((rejection as SseError).code).toBe('ERR_SSE_HEADERS_SENT');
  });

  it('fails the registration for bad defaults', async () => {
    const app = create();
    await expect(app.register(ssePlugin, { maxBufferedBytes: -1 })).rejects.toMatchObject({
      name: 'SseError',
      code: 'ERR_SSE_OPTIONS',
    });
  });

  it('sends errors raised after the stream opened to onError and closes the stream', async () => {
    const failure = new Error('handler failed');
    const reported: unknown[] = [];
    const app = create();
    await app.register(ssePlugin, { heartbeat: false, onError: (error) => reported.push(error) });
    app.get('/events', (_request, reply) =>
      reply.sse(async (stream) => {
        await stream.send('before');
        throw failure;
      }),
    );
    const url = await start(app);

    const res = await openRawSse(`${url}/events`);
    await res.ended;

    expect(res.events.map((e) => e.data)).toEqual(['before']);
    expect(reported).toEqual([failure]);
  });

  it('logs errors raised after the stream opened with request.log.error by default', async () => {
    type LogLine = { level: number; msg: string; err?: { message: string } };
    const logs: LogLine[] = [];
    const app = create({
      logger: {
        level: 'error',
        stream: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
      },
    });
    await app.register(ssePlugin, { heartbeat: false });
    app.get('/events', (_request, reply) =>
      reply.sse(() => {
        throw new Error('handler failed');
      }),
    );
    const url = await start(app);

    const res = await openRawSse(`${url}/events`);
    await res.ended;

    expect(logs.map(({ level, msg, err }) => ({ level, msg, message: err?.message }))).toEqual([
      { level: 50, msg: 'SSE stream failed', message: 'handler failed' },
    ]);
  });
});
