import { createServer } from 'node:http';
import Koa from 'koa';
import Koa2 from 'koa2';
import Router from '@koa/router';
import compress from 'koa-compress';
import cors from '@koa/cors';
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
} from '@sse/test-kit';
import { sse } from './index';

const ORIGIN = 'http://app.example';

// @koa/router puts route parameters on ctx.params.
const roomOf = (ctx: Koa.Context) => String((ctx.params as Record<string, string>).room);

describe.each([
  ['koa 3', Koa],
  ['koa 2', Koa2],
])('sse() on %s', (_name, App) => {
  let servers: Listening[] = [];
  let clients: { close(): void }[] = [];

  afterEach(async () => {
    for (const client of clients) client.close();
    clients = [];
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });

  async function serve(app: Koa): Promise<string> {
    const callback = app.callback();
    const server = await listen(createServer((req, res) => void callback(req, res)));
    servers.push(server);
    return server.url;
  }
  async function raw(url: string, headers?: Record<string, string>): Promise<RawSseResponse> {
    const client = await openRawSse(url, { headers });
    clients.push(client);
    return client;
  }

  it('runs the handler with (stream, ctx) under @koa/router and sets ctx.sse', async () => {
    const app = new App();
    const router = new Router();
    router.get(
      '/rooms/:room/events',
      sse(async (stream, ctx) => {
        await stream.send({ room: roomOf(ctx), same: ctx.sse === stream });
      }),
    );
    app.use(router.routes());
    const client = recordEventSource(`${await serve(app)}/rooms/kitchen/events`);
    clients.push(client);
    const [event] = await client.waitFor(1);
    expect(JSON.parse(event!.data)).toEqual({ room: 'kitchen', same: true });
  });

  it('runs the next middleware with ctx.sse when there is no handler', async () => {
    const channel = createChannel();
    const app = new App();
    let upstreamStatus: number | undefined;
    app.use(async (ctx, next) => {
      await next();
      upstreamStatus = ctx.status;
    });
    app.use(sse({ channel, heartbeat: false }));
    app.use(async (ctx) => {
      await ctx.sse!.send('hello from next', { event: 'greeting' });
    });
    const client = await raw(await serve(app));
    const [greeting] = await client.waitForEvents(1);
    expect(greeting).toMatchObject({ event: 'greeting', data: 'hello from next' });
    expect(client.status).toBe(200);
    expect(upstreamStatus).toBe(200);
    await channel.publish('and the channel');
    expect((await client.waitForEvents(2))[1]!.data).toBe('and the channel');
  });

  it('awaits next(): upstream code after `await next()` runs once downstream set up', async () => {
    const topics = createChannel();
    const steps: string[] = [];
    const app = new App();
    app.use(async (ctx, next) => {
      steps.push('upstream before next');
      await next();
      steps.push(`upstream after next, topic ${String(ctx.state.topic)}`);
    });
    app.use(sse({ heartbeat: false }));
    app.use(async (ctx) => {
      // Downstream middleware usually do async work (auth, a lookup) before subscribing.
      await ctx.sse!.send('welcome');
      await new Promise((resolve) => setImmediate(resolve));
      topics.subscribe(ctx.sse!);
      ctx.state.topic = 'news';
      steps.push('downstream subscribed');
    });
    const client = await raw(await serve(app));
    await waitUntil(() => steps.length === 3, 'the middleware chain resolved');
    expect(steps).toEqual([
      'upstream before next',
      'downstream subscribed',
      'upstream after next, topic news',
    ]);
    // Resolving did not end the stream: it stays open for the channel.
    await topics.publish('later');
    expect((await client.waitForEvents(2)).map((event) => event.data)).toEqual([
      'welcome',
      'later',
    ]);
  });

  it('subscribes to the channel a function of ctx chooses', async () => {
    const rooms = new Map<string, Channel>([
      ['a', createChannel()],
      ['b', createChannel()],
    ]);
    const app = new App();
    const router = new Router();
    router.get(
      '/rooms/:room/events',
      sse({ channel: (ctx) => Promise.resolve(rooms.get(roomOf(ctx))), heartbeat: false }),
    );
    app.use(router.routes());
    const client = await raw(`${await serve(app)}/rooms/b/events`);
    await waitUntil(() => rooms.get('b')!.size === 1, 'the stream joins room b');
    await rooms.get('a')!.publish('for a');
    await rooms.get('b')!.publish('for b');
    expect((await client.waitForEvents(1))[0]!.data).toBe('for b');
    expect(rooms.get('a')!.size).toBe(0);
  });

  it('reads Last-Event-ID and replays the missed events', async () => {
    const channel = createChannel();
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(await channel.publish(`event ${n}`));
    const app = new App();
    app.use(sse({ channel, heartbeat: false }));
    const client = await raw(await serve(app), { 'Last-Event-ID': ids[1]! });
    expect((await client.waitForEvents(1))[0]).toMatchObject({ id: ids[2], data: 'event 3' });
  });

  it('throws errors raised before the stream opens into Koa error handling', async () => {
    const emitted: unknown[] = [];
    const app = new App();
    app.on('error', (error: unknown) => emitted.push(error));
    const router = new Router();
    router.get('/missing', sse({ channel: (ctx) => ctx.throw(404, 'no such room') }));
    router.get('/broken', sse({ channel: () => Promise.reject(new Error('lookup failed')) }));
    app.use(router.routes());
    const url = await serve(app);

    const missing = await request(url).get('/missing');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('no such room');
    expect(missing.headers['content-type']).not.toMatch(/event-stream/);
    const broken = await request(url).get('/broken');
    expect(broken.status).toBe(500);
    // Koa emits every error it handles, the 404 included.
    await waitUntil(() => emitted.length === 2, 'both errors are emitted');
    expect(emitted[0]).toMatchObject({ status: 404, message: 'no such room' });
    expect(emitted[1]).toMatchObject({ status: 500, message: 'lookup failed' });
  });

  it('throws when the response has already started', async () => {
    const emitted: unknown[] = [];
    const app = new App();
    app.on('error', (error: unknown) => emitted.push(error));
    app.use(async (ctx, next) => {
      ctx.res.writeHead(202);
      ctx.res.write('already');
      await next();
    });
    app.use(sse(() => undefined));
    const response = await raw(await serve(app)).catch(() => undefined);
    await waitUntil(() => emitted.length === 1, 'the error is emitted');
    expect(emitted[0]).toBeInstanceOf(SseError);
    expect(emitted[0]).toMatchObject({ code: 'ERR_SSE_HEADERS_SENT' });
    expect(response?.status).toBe(202);
  });

  it('sends errors after open to onError and closes the stream', async () => {
    const reported: unknown[] = [];
    const reasons: SseCloseReason[] = [];
    const app = new App();
    app.use(
      sse({ onError: (error) => reported.push(error) }, async (stream) => {
        stream.onClose((reason) => reasons.push(reason));
        await stream.send('hello');
        throw new Error('handler failed');
      }),
    );
    const client = await raw(await serve(app));
    await client.ended;
    expect(client.events.map((event) => event.data)).toEqual(['hello']);
    expect(reported).toEqual([new Error('handler failed')]);
    expect(reasons).toEqual(['error']);
  });

  it('emits errors after open on the app when there is no onError (handler or next())', async () => {
    const emitted: { error: unknown; path: string }[] = [];
    const app = new App();
    app.on('error', (error: unknown, ctx: Koa.Context) => emitted.push({ error, path: ctx.path }));
    const router = new Router();
    router.get(
      '/handler',
      sse(() => {
        throw new Error('handler failure');
      }),
    );
    router.get('/next', sse(), () => {
      throw new Error('next failure');
    });
    app.use(router.routes());
    const url = await serve(app);
    const first = await raw(`${url}/handler`);
    const second = await raw(`${url}/next`);
    await Promise.all([first.ended, second.ended]);
    expect(first.status).toBe(200);
    expect(emitted.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { error: new Error('handler failure'), path: '/handler' },
      { error: new Error('next failure'), path: '/next' },
    ]);
  });

  it('rejects bad arguments when the middleware is created', () => {
    expect(() => sse('nope' as never)).toThrow(SseError);
    expect(() => sse({ maxBufferedBytes: 0 })).toThrow(/maxBufferedBytes/);
  });

  it('keeps headers set by earlier middleware (ctx.set, cookies)', async () => {
    const app = new App();
    app.use(async (ctx, next) => {
      ctx.set('X-Trace-Id', 'trace-7');
      ctx.cookies.set('session', 'abc');
      await next();
    });
    app.use(sse({ heartbeat: false }));
    const client = await raw(await serve(app));
    expect(client.status).toBe(200);
    expect(client.headers['x-trace-id']).toBe('trace-7');
    expect(client.headers['set-cookie']).toEqual(['session=abc; path=/; httponly']);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });

  it('is not buffered by koa-compress', async () => {
    const channel = createChannel();
    const app = new App();
    app.use(compress({ threshold: 0 }));
    app.use(sse({ channel, heartbeat: false }));
    const client = await openCompressedSse(await serve(app));
    clients.push(client);
    expect(client.status).toBe(200);
    await waitUntil(() => channel.size === 1, 'the stream is subscribed');
    // Each event must arrive before the next is published.
    for (let n = 1; n <= 3; n++) {
      await channel.publish({ n });
      await client.waitForEvents(n);
    }
    expect(client.events.map((event) => event.data)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('keeps the CORS headers of @koa/cors with credentials on the stream', async () => {
    const channel = createChannel();
    const app = new App();
    app.use(cors({ origin: ORIGIN, credentials: true }));
    app.use(sse({ channel, heartbeat: false }));
    const client = await raw(await serve(app), { Origin: ORIGIN });
    expect(client.status).toBe(200);
    expect(client.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(client.headers['access-control-allow-credentials']).toBe('true');
    await waitUntil(() => channel.size === 1, 'the stream is subscribed');
    await channel.publish('cross-origin');
    expect((await client.waitForEvents(1))[0]!.data).toBe('cross-origin');
  });

  it('serves a withCredentials EventSource from another origin behind @koa/cors', async () => {
    const channel = createChannel();
    const app = new App();
    app.use(cors({ origin: ORIGIN, credentials: true }));
    app.use(
      sse({ channel, heartbeat: false }, (stream, ctx) =>
        stream.send(ctx.cookies.get('sid') ?? ''),
      ),
    );
    const client = recordCrossOriginEventSource(await serve(app), {
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
    expect((await client.waitFor(2)).map((event) => event.data)).toEqual(['1', 'cross-origin']);
  });

  it('lets @koa/cors answer the preflight without opening a stream', async () => {
    const channel = createChannel();
    let opened = 0;
    const app = new App();
    app.use(cors({ origin: ORIGIN, credentials: true }));
    app.use(sse({ channel }, () => void opened++));
    const response = await request(await serve(app))
      .options('/')
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
});
