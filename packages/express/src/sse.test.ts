import { createServer } from 'node:http';
import type { ErrorRequestHandler, Express } from 'express';
import express from 'express';
import express4 from 'express4';
import compression from 'compression';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createChannel, SseError } from '@sse/core';
import {
  expectAnsweredWithoutStream,
  expectEachEventAtOnce,
  listen,
  openCompressedSse,
  useTestResources,
} from '@sse/test-kit';
import { alwaysGzip } from './always-gzip.test-helper';
import { sse } from './index';

describe.each([
  ['express 5', express],
  ['express 4', express4],
])('sse() on %s', (_name, createApp) => {
  const resources = useTestResources();
  async function serve(app: Express): Promise<string> {
    return resources.server(await listen(createServer(app))).url;
  }
  const raw = (url: string, headers?: Record<string, string>) => resources.raw(url, { headers });
  const eventSource = (url: string) => resources.eventSource(url);

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

    expectAnsweredWithoutStream(await request(url).get('/events'), 500, 'no such room');
    expectAnsweredWithoutStream(await request(url).get('/async'), 500, 'lookup failed');
    const started = await request(url).get('/started');
    expect(started.status).toBe(202);
    expect(seen[2]).toBeInstanceOf(SseError);
    expect(seen[2]).toMatchObject({ code: 'ERR_SSE_HEADERS_SENT' });
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

  // Each event must arrive before the next is published: nothing waits in a zlib buffer.
  it.each([
    // compression() honours no-transform and leaves the stream alone.
    ['is left uncompressed by compression() (no-transform)', compression, 'identity'],
    // The stream really is compressed: only res.flush() gets each frame out of zlib.
    ['flushes every frame through a compressor that ignores no-transform', alwaysGzip, 'gzip'],
  ])('%s, every frame at once', async (_title, compressor, encoding) => {
    const channel = createChannel();
    const app = createApp();
    app.use(compressor());
    app.get('/events', sse({ channel, heartbeat: false }));
    const client = resources.client(await openCompressedSse(`${await serve(app)}/events`));
    expect(client.status).toBe(200);
    expect(client.encoding).toBe(encoding);
    await expectEachEventAtOnce(client, channel);
  });
});
