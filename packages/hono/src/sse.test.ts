import { createChannel, SseError, type SseCloseReason } from '@sse/core';
import { waitUntil } from '@sse/test-kit/unit';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { cors } from 'hono/cors';
import { describe, expect, it, vi } from 'vitest';
import { sse } from './index';
import { readBody } from './read-body.test-helper';

describe('sse', () => {
  it('answers with an SSE response whose body can be read with app.request()', async () => {
    const app = new Hono();
    app.get(
      '/events',
      sse({ heartbeat: false, retry: 2000 }, async (stream) => {
        await stream.send({ n: 1 }, { event: 'tick', id: '1' });
        await stream.send('two\nlines');
        stream.close();
      }),
    );

    const res = await app.request('/events');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.has('transfer-encoding')).toBe(false);
    expect(res.headers.has('content-length')).toBe(false);
    expect(res.headers.has('connection')).toBe(false);
    const body = readBody(res);
    expect(await body.readToEnd()).toBe(
      ': \nretry: 2000\n\nid: 1\nevent: tick\ndata: {"n":1}\n\ndata: two\ndata: lines\n\n',
    );
  });

  it('accepts sse(handler), sse(options) and sse(options, handler)', async () => {
    const channel = createChannel();
    const app = new Hono();
    app.get(
      '/handler',
      sse(async (stream) => {
        await stream.send('from handler');
        stream.close();
      }),
    );
    app.get('/options', sse({ channel, heartbeat: false }));
    app.get(
      '/both',
      sse({ channel, heartbeat: false }, (stream) => {
        void stream.send('from both');
      }),
    );

    const fromHandler = readBody(await app.request('/handler'));
    expect((await fromHandler.readEvents(1))[0]?.data).toBe('from handler');

    const fromOptions = readBody(await app.request('/options'));
    const fromBoth = readBody(await app.request('/both'));
    expect((await fromBoth.readEvents(1))[0]?.data).toBe('from both');
    await waitUntil(() => channel.size === 2, 'both streams subscribed');
    await channel.publish('published', { id: '7' });
    expect((await fromOptions.readEvents(1))[0]).toMatchObject({ id: '7', data: 'published' });
    expect((await fromBoth.readEvents(2))[1]).toMatchObject({ id: '7', data: 'published' });
    await fromOptions.cancel();
    await fromBoth.cancel();
    await waitUntil(() => channel.size === 0, 'cancelled streams unsubscribed');
  });

  it('sees the client leaving through the body being cancelled', async () => {
    const reasons: SseCloseReason[] = [];
    const app = new Hono();
    app.get(
      '/events',
      sse({ heartbeat: false }, (stream) => {
        stream.onClose((reason) => reasons.push(reason));
      }),
    );

    const body = readBody(await app.request('/events'));
    await body.cancel();

    await waitUntil(() => reasons.length === 1, 'the stream closed');
    expect(reasons).toEqual(['client']);
  });

  it('sees the client leaving through the request signal', async () => {
    const closed: SseCloseReason[] = [];
    const app = new Hono();
    app.get(
      '/events',
      sse({ heartbeat: false }, (stream) => void stream.onClose((r) => closed.push(r))),
    );
    const controller = new AbortController();

    const res = await app.request('/events', { signal: controller.signal });
    expect(res.status).toBe(200);
    controller.abort();

    await waitUntil(() => closed.length === 1, 'the stream closed');
    expect(closed).toEqual(['client']);
  });

  it('replays history after the Last-Event-ID header, else the lastEventId query', async () => {
    const channel = createChannel();
    for (const n of [1, 2, 3]) await channel.publish(`event ${n}`, { id: String(n) });
    const app = new Hono();
    app.get('/events', sse({ channel, heartbeat: false }));

    const fromHeader = readBody(
      await app.request('/events', { headers: { 'last-event-id': '1' } }),
    );
    expect((await fromHeader.readEvents(2)).map((e) => e.id)).toEqual(['2', '3']);

    const fromQuery = readBody(await app.request('/events?lastEventId=2'));
    expect((await fromQuery.readEvents(1)).map((e) => e.id)).toEqual(['3']);

    const headerWins = readBody(
      await app.request('/events?lastEventId=1', { headers: { 'last-event-id': '2' } }),
    );
    expect((await headerWins.readEvents(1)).map((e) => e.id)).toEqual(['3']);
    for (const body of [fromHeader, fromQuery, headerWins]) await body.cancel();
  });

  it('subscribes to the channels a function of the context returns', async () => {
    const rooms = { red: createChannel(), blue: createChannel() };
    const everyone = createChannel();
    const app = new Hono();
    app.get(
      '/rooms/:room',
      sse({
        heartbeat: false,
        channel: async (c) => {
          await Promise.resolve();
          const room = c.req.param('room');
          return room === 'red' || room === 'blue' ? [rooms[room], everyone] : everyone;
        },
      }),
    );

    const red = readBody(await app.request('/rooms/red'));
    const other = readBody(await app.request('/rooms/green'));
    await waitUntil(() => everyone.size === 2, 'both streams subscribed');
    expect(rooms.red.size).toBe(1);
    expect(rooms.blue.size).toBe(0);
    await rooms.red.publish('to red');
    await everyone.publish('to everyone');

    expect((await red.readEvents(2)).map((e) => e.data)).toEqual(['to red', 'to everyone']);
    expect((await other.readEvents(1)).map((e) => e.data)).toEqual(['to everyone']);
    await red.cancel();
    await other.cancel();
  });

  it('sends an error of the channel function to app.onError, opening no stream', async () => {
    let handlerRan = false;
    const app = new Hono();
    app.get(
      '/events',
      sse(
        {
          channel: () => {
            throw new Error('no such room');
          },
        },
        () => {
          handlerRan = true;
        },
      ),
    );
    app.onError((error, c) => c.text(`failed: ${error.message}`, 503));

    const res = await app.request('/events');

    expect(res.status).toBe(503);
    expect(await res.text()).toBe('failed: no such room');
    expect(handlerRan).toBe(false);
  });

  it('sends a rejection of an async channel function to app.onError', async () => {
    const app = new Hono();
    app.get('/events', sse({ channel: () => Promise.reject(new Error('store down')) }));
    app.onError((error, c) => c.text(error.message, 500));

    const res = await app.request('/events');

    expect(res.status).toBe(500);
    expect(await res.text()).toBe('store down');
  });

  it('rejects a value that is not a channel before the response starts', async () => {
    const app = new Hono();
    app.get('/events', sse({ channel: () => [{}] as never }));
    let seen: unknown;
    app.onError((error, c) => {
      seen = error;
      return c.text('bad channel', 500);
    });

    const res = await app.request('/events');

    expect(res.status).toBe(500);
    expect(seen).toBeInstanceOf(SseError);
    expect((seen as SseError).code).toBe('ERR_SSE_OPTIONS');
  });

  it('answers a fixed channel with a Response, and sends a bad fixed one to app.onError', async () => {
    const channel = createChannel();
    const app = new Hono();
    app.get('/events', sse({ channel, heartbeat: false }));
    app.get('/broken', sse({ channel: {} as never }));
    app.onError((error, c) => c.text(`${(error as SseError).code}`, 500));

    const answer = app.request('/events');
    expect(answer).toBeInstanceOf(Response);
    const res = await answer;
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(channel.size).toBe(1);
    await res.body?.cancel();
    expect(channel.size).toBe(0);

    const broken = await app.request('/broken');
    expect(broken.status).toBe(500);
    expect(await broken.text()).toBe('ERR_SSE_OPTIONS');
  });

  it('throws ERR_SSE_OPTIONS where the route is declared for bad options', () => {
    expect(() => sse({ heartbeat: -1 })).toThrow(
      expect.objectContaining({ name: 'SseError', code: 'ERR_SSE_OPTIONS' }),
    );
    expect(() => sse({ maxBufferedBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_OPTIONS' }),
    );
    expect(() => sse({ retry: 1.5 })).toThrow(expect.objectContaining({ code: 'ERR_SSE_FORMAT' }));
    expect(() => sse(42 as never)).toThrow(expect.objectContaining({ code: 'ERR_SSE_OPTIONS' }));
    expect(() => sse((() => undefined) as never, (() => undefined) as never)).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_OPTIONS' }),
    );
  });

  it('sends errors raised after the stream opened to onError, then closes the stream', async () => {
    const failure = new Error('handler failed');
    const reported: unknown[] = [];
    const closed: SseCloseReason[] = [];
    const app = new Hono();
    app.get(
      '/events',
      sse({ heartbeat: false, onError: (error) => reported.push(error) }, async (stream) => {
        stream.onClose((reason) => closed.push(reason));
        await stream.send('before');
        throw failure;
      }),
    );

    const res = await app.request('/events');

    expect(res.status).toBe(200);
    const body = readBody(res);
    await body.readToEnd();
    expect(body.events.map((e) => e.data)).toEqual(['before']);
    expect(reported).toEqual([failure]);
    expect(closed).toEqual(['error']);
  });

  it('reports an error raised after the stream opened with console.error when there is no onError, as Hono does', async () => {
    const thrown = new Error('handler threw');
    const rejected = new Error('handler rejected');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const closes: [SseCloseReason, unknown][] = [];
      const app = new Hono();
      app.get(
        '/throws',
        sse({ heartbeat: false }, (stream) => {
          stream.onClose((reason, error) => closes.push([reason, error]));
          throw thrown;
        }),
      );
      app.get(
        '/rejects',
        sse({ heartbeat: false }, async (stream) => {
          stream.onClose((reason, error) => closes.push([reason, error]));
          await stream.send('before');
          throw rejected;
        }),
      );

      const first = readBody(await app.request('/throws'));
      expect(await first.readToEnd()).toBe(': \n\n');
      const second = readBody(await app.request('/rejects'));
      await second.readToEnd();

      expect(second.events.map((e) => e.data)).toEqual(['before']);
      expect(logged.mock.calls).toEqual([[thrown], [rejected]]);
      expect(closes).toEqual([
        ['error', thrown],
        ['error', rejected],
      ]);
    } finally {
      logged.mockRestore();
    }
  });

  it('keeps headers set earlier with c.header() and drops a length or transfer-encoding', async () => {
    const app = new Hono();
    app.use('*', async (c, next) => {
      c.header('x-request-id', 'abc');
      c.header('set-cookie', 'a=1', { append: true });
      c.header('set-cookie', 'b=2', { append: true });
      c.header('transfer-encoding', 'chunked');
      c.header('content-length', '10');
      await next();
    });
    app.get(
      '/events',
      sse((stream) => stream.close()),
    );

    const res = await app.request('/events');

    expect(res.headers.get('x-request-id')).toBe('abc');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.has('transfer-encoding')).toBe(false);
    expect(res.headers.has('content-length')).toBe(false);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  });

  it('keeps its own headers over those of middleware behind hono/cors', async () => {
    const app = new Hono();
    app.use('*', cors({ origin: 'http://app.test' }));
    app.use('*', async (c, next) => {
      c.header('cache-control', 'public, max-age=60');
      c.header('transfer-encoding', 'chunked');
      c.header('x-request-id', 'abc');
      await next();
    });
    app.get(
      '/events',
      sse((stream) => stream.close()),
    );

    const res = await app.request('/events', { headers: { origin: 'http://app.test' } });

    expect(res.headers.get('access-control-allow-origin')).toBe('http://app.test');
    expect(res.headers.get('x-request-id')).toBe('abc');
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(res.headers.has('transfer-encoding')).toBe(false);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  });

  it('is left uncompressed by hono/compress', async () => {
    const app = new Hono();
    app.use('*', compress({ threshold: 0 }));
    app.get(
      '/events',
      sse({ heartbeat: false }, async (stream) => {
        await stream.send('plain');
        stream.close();
      }),
    );

    const res = await app.request('/events', { headers: { 'accept-encoding': 'gzip, deflate' } });

    expect(res.headers.has('content-encoding')).toBe(false);
    expect(await readBody(res).readToEnd()).toBe(': \n\ndata: plain\n\n');
  });
});
