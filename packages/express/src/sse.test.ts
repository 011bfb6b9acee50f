import { createServer } from 'node:http';
import type { ErrorRequestHandler, Express } from 'express';
import express from 'express';
import express4 from 'express4';
import compression from 'compression';
import cors from 'cors';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, SseError, type Channel, type SseCloseReason } from '@sse/core';
import {
  listen,
  openCompressedSse,
  openRawSse,
  recordCrossOriginEventSource,
  recordEventSource,
  waitUntil,
  type Listening,
  type RawSseResponse,
  type RecordingEventSource,
} from '@sse/test-kit';
import { alwaysGzip } from './always-gzip.test-helper';
import { sse } from './index';

const ORIGIN = 'http://app.example';

describe.each([
  ['express 5', express],
  ['express 4', express4],
])('sse() on %s', (_name, createApp) => {
  let servers: Listening[] = [];
  let clients: (RawSseResponse | RecordingEventSource | { close(): void })[] = [];

  afterEach(async () => {
    for (const client of clients) client.close();
    clients = [];
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });

  async function serve(app: Express): Promise<string> {
    const server = await listen(createServer(app));
    servers.push(server);
    return server.url;
  }
  async function raw(url: string, headers?: Record<string, string>): Promise<RawSseResponse> {
    const client = await openRawSse(url, { headers });
    clients.push(client);
    return client;
  }
  function eventSource(url: string): RecordingEventSource {
    const client = recordEventSource(url);
    clients.push(client);
    return client;
  }

  it('passes (stream, req, res) to the handler of sse(handler)', async () => {
    const app = createApp();
    app.get(
      '/rooms/:room/events',
      sse(async (stream, req, res) => {
        await stream.send({ room: req.params.room, headersSent: res.headersSent });
      }),
    );
    const client = eventSource(`${await serve(app)}/rooms/kitchen/events`);
    const [event] = await client.waitFor(1);
    expect(JSON.parse(event!.data)).toEqual({ room: 'kitchen', headersSent: true });
  });

  it('subscribes to the channel a function of req chooses', async () => {
    const rooms = new Map<string, Channel>([
      ['a', createChannel()],
      ['b', createChannel()],
    ]);
    const app = createApp();
    app.get(
      '/rooms/:room/events',
      sse({ channel: (req) => rooms.get(String(req.params.room)), heartbeat: false }),
    );
    const url = await serve(app);
    const client = eventSource(`${url}/rooms/b/events`);
    await client.opened;
    await waitUntil(() => rooms.get('b')!.size === 1, 'the stream joins room b');
    await rooms.get('a')!.publish('for a');
    await rooms.get('b')!.publish('for b');
    expect((await client.waitFor(1))[0]!.data).toBe('for b');
    expect(rooms.get('a')!.size).toBe(0);
  });

  it('reads Last-Event-ID and replays the missed events', async () => {
    const channel = createChannel();
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(await channel.publish(`event ${n}`));
    const app = createApp();
    app.get(
      '/events',
      sse({ channel }, (stream) =>
        stream.send(stream.lastEventId ?? 'none', { event: 'resumed-from' }),
      ),
    );
    const client = await raw(`${await serve(app)}/events`, { 'Last-Event-ID': ids[0]! });
    const events = await client.waitForEvents(3);
    expect(events.map(({ event, data }) => ({ event, data }))).toEqual([
      { event: 'resumed-from', data: ids[0] },
      { event: undefined, data: 'event 2' },
      { event: undefined, data: 'event 3' },
    ]);
  });

  it('sends errors raised before the stream opens to next(err)', async () => {
    const seen: unknown[] = [];
    const app = createApp();
    app.get(
      '/events',
      sse({
        channel: () => {
          throw new Error('no such room');
        },
      }),
    );
    app.get('/async', sse({ channel: () => Promise.reject(new Error('lookup failed')) }));
    app.get(
      '/started',
      (_req, res, next) => {
        res.writeHead(202).write('already');
        next();
      },
      sse(() => undefined),
    );
    const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
      seen.push(error);
      if (res.headersSent) res.end();
      else res.status(500).send(error instanceof Error ? error.message : 'error');
    };
    app.use(onError);
    const url = await serve(app);

    const sync = await request(url).get('/events');
    expect(sync.status).toBe(500);
    expect(sync.text).toBe('no such room');
    expect(sync.headers['content-type']).not.toMatch(/event-stream/);
    const rejected = await request(url).get('/async');
    expect(rejected.status).toBe(500);
    expect(rejected.text).toBe('lookup failed');
    const started = await request(url).get('/started');
    expect(started.status).toBe(202);
    expect(seen[2]).toBeInstanceOf(SseError);
    expect(seen[2]).toMatchObject({ code: 'ERR_SSE_HEADERS_SENT' });
  });

  it('sends errors raised after the stream opened to onError and closes the stream', async () => {
    const reported: unknown[] = [];
    const reasons: SseCloseReason[] = [];
    const app = createApp();
    app.get(
      '/events',
      sse({ onError: (error) => reported.push(error) }, async (stream) => {
        stream.onClose((reason) => reasons.push(reason));
        await stream.send('hello');
        throw new Error('handler failed');
      }),
    );
    const client = await raw(`${await serve(app)}/events`);
    await client.ended;
    expect(client.events.map((event) => event.data)).toEqual(['hello']);
    expect(reported).toEqual([new Error('handler failed')]);
    expect(reasons).toEqual(['error']);
  });

  it('sends errors after open to the error middleware when there is no onError', async () => {
    const seen: unknown[] = [];
    const app = createApp();
    app.get(
      '/events',
      sse(() => {
        throw new Error('sync failure');
      }),
    );
    const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
      seen.push(error);
      res.end();
    };
    app.use(onError);
    const client = await raw(`${await serve(app)}/events`);
    expect(client.status).toBe(200);
    await client.ended;
    expect(seen).toEqual([new Error('sync failure')]);
  });

  it('rejects bad arguments when the route is declared', () => {
    expect(() => sse(42 as never)).toThrow(SseError);
    expect(() => sse({ heartbeat: -5 })).toThrow(/heartbeat/);
    const handler = () => undefined;
    expect(() => sse(handler as never, handler)).toThrow(/sse\(options, handler\)/);
  });

  it('is left uncompressed by compression() (no-transform), every frame at once', async () => {
    const channel = createChannel();
    const app = createApp();
    app.use(compression());
    app.get('/events', sse({ channel, heartbeat: false }));
    const client = await openCompressedSse(`${await serve(app)}/events`);
    clients.push(client);
    expect(client.status).toBe(200);
    expect(client.encoding).toBe('identity');
    await waitUntil(() => channel.size === 1, 'the stream is subscribed');
    // Each event must arrive before the next is published: nothing waits in a zlib buffer.
    for (let n = 1; n <= 3; n++) {
      await channel.publish({ n });
      await client.waitForEvents(n);
    }
    expect(client.events.map((event) => event.data)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('flushes every frame through a compressor that ignores no-transform (res.flush())', async () => {
    const channel = createChannel();
    const app = createApp();
    app.use(alwaysGzip());
    app.get('/events', sse({ channel, heartbeat: false }));
    const client = await openCompressedSse(`${await serve(app)}/events`);
    clients.push(client);
    expect(client.status).toBe(200);
    // The stream really is compressed: only res.flush() gets each frame out of zlib.
    expect(client.encoding).toBe('gzip');
    await waitUntil(() => channel.size === 1, 'the stream is subscribed');
    for (let n = 1; n <= 3; n++) {
      await channel.publish({ n });
      await client.waitForEvents(n);
    }
    expect(client.events.map((event) => event.data)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('keeps the CORS headers of cors() with credentials on the stream', async () => {
    const channel = createChannel();
    const app = createApp();
    app.use(cors({ origin: ORIGIN, credentials: true }));
    app.get('/events', sse({ channel, heartbeat: false }));
    const client = await raw(`${await serve(app)}/events`, { Origin: ORIGIN, Cookie: 'sid=1' });
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(client.headers['access-control-allow-credentials']).toBe('true');
    await waitUntil(() => channel.size === 1, 'the stream is subscribed');
    await channel.publish('cross-origin');
    expect((await client.waitForEvents(1))[0]!.data).toBe('cross-origin');
  });

  it('serves a withCredentials EventSource from another origin behind cors()', async () => {
    const channel = createChannel();
    const app = createApp();
    app.use(cors({ origin: ORIGIN, credentials: true }));
    app.get(
      '/events',
      sse({ channel, heartbeat: false }, (stream, req) => stream.send(req.headers.cookie ?? '')),
    );
    const client = recordCrossOriginEventSource(`${await serve(app)}/events`, {
      origin: ORIGIN,
      cookie: 'sid=1',
    });
    clients.push(client);
    await client.opened;
    expect(client.source.withCredentials).toBe(true);
    const { headers } = client.responses[0]!;
    expect(headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(headers.get('access-control-allow-credentials')).toBe('true');
    await waitUntil(() => channel.size === 1, 'the stream is subscribed');
    await channel.publish('cross-origin');
    expect((await client.waitFor(2)).map((event) => event.data)).toEqual(['sid=1', 'cross-origin']);
  });

  it('lets cors() answer the preflight without opening a stream', async () => {
    const channel = createChannel();
    let opened = 0;
    const app = createApp();
    app.use(cors({ origin: ORIGIN, credentials: true }));
    app.all(
      '/events',
      sse({ channel }, () => void opened++),
    );
    const response = await request(await serve(app))
      .options('/events')
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'last-event-id');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['access-control-allow-headers']).toMatch(/last-event-id/i);
    expect(response.headers['content-type']).toBeUndefined();
    expect(opened).toBe(0);
    expect(channel.size).toBe(0);
  });

  it('keeps headers set by earlier middleware (cookies, tracing)', async () => {
    const app = createApp();
    app.use((_req, res, next) => {
      res.cookie('session', 'abc', { httpOnly: true });
      res.setHeader('X-Trace-Id', 'trace-42');
      res.setHeader('Content-Length', '5');
      next();
    });
    app.get('/events', sse({ heartbeat: false }));
    const client = await raw(`${await serve(app)}/events`);
    expect(client.status).toBe(200);
    expect(client.headers['set-cookie']).toEqual(['session=abc; Path=/; HttpOnly']);
    expect(client.headers['x-trace-id']).toBe('trace-42');
    expect(client.headers['content-length']).toBeUndefined();
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });
});
