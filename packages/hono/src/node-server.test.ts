import { createServer as createHttp2Server } from 'node:http2';
import { createAdaptorServer } from '@hono/node-server';
import { createChannel, type Channel, type SseCloseReason } from '@sse/core';
import {
  describeCrossOrigin,
  expectHttp2ClientLeave,
  listen,
  openHttp2Sse,
  openRawSse,
  serveFetch,
  recordEventSource,
  waitUntil,
  type Listening,
  type RecordingEventSource,
} from '@sse/test-kit';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sse } from './index';

let server: Listening | undefined;
let source: RecordingEventSource | undefined;

afterEach(async () => {
  source?.close();
  await server?.close();
  server = source = undefined;
});

async function serve(app: Hono, http2 = false): Promise<Listening> {
  const node = createAdaptorServer({
    fetch: app.fetch,
    ...(http2 ? { createServer: createHttp2Server } : {}),
  });
  server = await listen(node);
  return server;
}

/** Serves a channel at /events and records why each stream closed. */
async function serveRecordingCloses(http2 = false) {
  const channel = createChannel();
  const reasons: SseCloseReason[] = [];
  const app = new Hono();
  app.get(
    '/events',
    sse({ channel, heartbeat: false }, (stream) => void stream.onClose((r) => reasons.push(r))),
  );
  const { url } = await serve(app, http2);
  return { url, channel, reasons };
}

describeCrossOrigin({
  name: 'hono/cors on @hono/node-server',
  preflightContentType: 'text/plain; charset=UTF-8',
  async start({ origin, channel, handler }) {
    const app = new Hono();
    app.use('/events', cors({ origin, credentials: true }));
    // Every method reaches sse(): only hono/cors keeps a preflight from opening a stream.
    app.all(
      '/events',
      sse({ channel, heartbeat: false }, (stream, c) => handler(stream, c.req.header('cookie'))),
    );
    return serveFetch(app.fetch);
  },
});

describe('sse on @hono/node-server', () => {
  it('opens at once and delivers events to a real EventSource', async () => {
    const channel = createChannel();
    const app = new Hono();
    app.get('/events', sse({ channel }));
    const { url } = await serve(app);

    source = recordEventSource(`${url}/events`);
    // `open` needs the first bytes: nothing is published before it fires.
    await source.opened;
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    await channel.publish({ hello: 'world' }, { id: '1' });

    expect(await source.waitFor(1)).toEqual([
      { type: 'message', data: '{"hello":"world"}', lastEventId: '1' },
    ]);
  });

  it('sets no Transfer-Encoding itself and flushes the first comment with the headers', async () => {
    const app = new Hono();
    app.get('/events', sse({ heartbeat: false, retry: 1500 }));
    const { url } = await serve(app);

    const res = await openRawSse(`${url}/events`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await res.waitForText((text) => text === ': \nretry: 1500\n\n');
    res.close();
  });

  it('unsubscribes and closes the stream with reason "client" when the client leaves', async () => {
    const { url, channel, reasons } = await serveRecordingCloses();
    // @hono/node-server logs a body that fails; a client leaving is not a failure.
    const logged = vi.spyOn(console, 'error');

    const res = await openRawSse(`${url}/events`);
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    res.close();

    await waitUntil(() => channel.size === 0, 'the stream unsubscribed');
    expect(reasons).toEqual(['client']);
    await server?.close();
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });

  it('logs a handler error raised after the stream opened with console.error, once', async () => {
    const failure = new Error('lost the feed');
    const app = new Hono();
    app.get(
      '/events',
      sse({ heartbeat: false }, async (stream) => {
        await stream.send('before');
        throw failure;
      }),
    );
    const { url } = await serve(app);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const res = await openRawSse(`${url}/events`);
      await res.ended;

      expect(res.events.map((event) => event.data)).toEqual(['before']);
      expect(logged.mock.calls).toEqual([[failure]]);
    } finally {
      logged.mockRestore();
    }
  });

  it('serves HTTP/2 with no connection-specific headers and sees the client leave', async () => {
    const { url, channel, reasons } = await serveRecordingCloses(true);
    await expectHttp2ClientLeave(`${url}/events`, channel, reasons);
  });
});

describe('sse on @hono/node-server: frames written to the Node response directly', () => {
  async function publishNumbered(channel: Channel, count: number) {
    for (let i = 1; i <= count; i++) {
      await channel.publish({ i });
      // One event per tick, so that each could be a body read of its own.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('delivers every event in order once the frames bypass the body', async () => {
    const channel = createChannel();
    const app = new Hono();
    app.get('/events', sse({ channel, heartbeat: false }));
    const { url } = await serve(app);
    const res = await openRawSse(`${url}/events`);
    await waitUntil(() => channel.size === 1, 'the stream subscribed');

    await publishNumbered(channel, 200);

    const events = await res.waitForEvents(200);
    expect(events.map((e) => e.data)).toEqual(
      Array.from({ length: 200 }, (_, i) => `{"i":${i + 1}}`),
    );
    res.close();
  });

  it('delivers every event in order over HTTP/2, and sees the client leave', async () => {
    const { url, channel, reasons } = await serveRecordingCloses(true);
    const res = await openHttp2Sse(`${url}/events`);
    await waitUntil(() => channel.size === 1, 'the stream subscribed');

    await publishNumbered(channel, 100);

    const expected = Array.from({ length: 100 }, (_, i) => `data: {"i":${i + 1}}\n\n`).join('');
    await res.waitForText((text) => text.replace(/^id: .*\n/gm, '').endsWith(expected));
    res.close();
    await waitUntil(() => reasons.length > 0, 'the stream closed');
    expect(reasons).toEqual(['client']);
  });

  it('keeps serving through a middleware that rewrites the body', async () => {
    const channel = createChannel();
    const app = new Hono();
    app.use('/events', async (c, next) => {
      await next();
      const marked = c.res.body!.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, controller) =>
            controller.enqueue(
              new TextEncoder().encode(
                new TextDecoder().decode(chunk).replaceAll('data: ', 'data: >'),
              ),
            ),
        }),
      );
      c.res = new Response(marked, c.res);
    });
    app.get('/events', sse({ channel, heartbeat: false }));
    const { url } = await serve(app);
    const res = await openRawSse(`${url}/events`);
    await waitUntil(() => channel.size === 1, 'the stream subscribed');

    await publishNumbered(channel, 50);

    const events = await res.waitForEvents(50);
    expect(events.map((e) => e.data)).toEqual(
      Array.from({ length: 50 }, (_, i) => `>{"i":${i + 1}}`),
    );
    res.close();
  });

  it('keeps the headers of hono/cors, which reads c.res before the handler runs', async () => {
    const channel = createChannel();
    const app = new Hono();
    app.use('/events', cors({ origin: 'http://app.test' }));
    app.get('/events', sse({ channel, heartbeat: false }));
    const { url } = await serve(app);
    const res = await openRawSse(`${url}/events`, { headers: { origin: 'http://app.test' } });
    await waitUntil(() => channel.size === 1, 'the stream subscribed');

    await publishNumbered(channel, 50);

    expect(res.headers['access-control-allow-origin']).toBe('http://app.test');
    expect((await res.waitForEvents(50)).map((e) => e.data).at(-1)).toBe('{"i":50}');
    res.close();
  });

  it('closes a client that stops reading with reason "slow", and @hono/node-server logs nothing', async () => {
    const channel = createChannel();
    const reasons: SseCloseReason[] = [];
    const app = new Hono();
    app.get(
      '/events',
      sse(
        { channel, heartbeat: false, maxBufferedBytes: 64 * 1024 },
        (stream) => void stream.onClose((r) => reasons.push(r)),
      ),
    );
    const { url } = await serve(app);
    const logged = vi.spyOn(console, 'error');
    const res = await openRawSse(`${url}/events`);
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    await publishNumbered(channel, 5);
    await res.waitForEvents(5);

    res.pause();
    const big = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 2000 && channel.size > 0; i++) {
      await channel.publish(big);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }

    await waitUntil(() => reasons.length > 0, 'the stream closed');
    expect(reasons).toEqual(['slow']);
    expect(channel.size).toBe(0);
    res.close();
    await server?.close();
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });
});
