import { createServer } from 'node:http';
import Koa from 'koa';
import Koa2 from 'koa2';
import Router from '@koa/router';
import compress from 'koa-compress';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createChannel, SseError } from '@sse/core';
import {
  expectAnsweredWithoutStream,
  expectEachEventAtOnce,
  listen,
  openCompressedSse,
  useTestResources,
  waitUntil,
} from '@sse/test-kit';
import { sse } from './index';

// @koa/router puts route parameters on ctx.params.
const roomOf = (ctx: Koa.Context) => String((ctx.params as Record<string, string>).room);

describe.each([
  ['koa 3', Koa],
  ['koa 2', Koa2],
])('sse() on %s', (_name, App) => {
  const resources = useTestResources();
  async function serve(app: Koa): Promise<string> {
    const callback = app.callback();
    return resources.server(await listen(createServer((req, res) => void callback(req, res)))).url;
  }
  const raw = (url: string, headers?: Record<string, string>) => resources.raw(url, { headers });

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
    const client = resources.eventSource(`${await serve(app)}/rooms/kitchen/events`);
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

  it('throws errors raised before the stream opens into Koa error handling', async () => {
    const emitted: unknown[] = [];
    const app = new App();
    app.on('error', (error: unknown) => emitted.push(error));
    const router = new Router();
    router.get('/missing', sse({ channel: (ctx) => ctx.throw(404, 'no such room') }));
    router.get('/broken', sse({ channel: () => Promise.reject(new Error('lookup failed')) }));
    app.use(router.routes());
    const url = await serve(app);

    expectAnsweredWithoutStream(await request(url).get('/missing'), 404, 'no such room');
    expectAnsweredWithoutStream(await request(url).get('/broken'), 500);
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

  it('is not buffered by koa-compress', async () => {
    const channel = createChannel();
    const app = new App();
    app.use(compress({ threshold: 0 }));
    app.use(sse({ channel, heartbeat: false }));
    const client = resources.client(await openCompressedSse(await serve(app)));
    expect(client.status).toBe(200);
    // Each event must arrive before the next is published.
    await expectEachEventAtOnce(client, channel);
  });
});
