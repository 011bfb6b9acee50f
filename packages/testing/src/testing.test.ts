import { createServer, type RequestListener } from 'node:http';
import { createResponse, type SseStream } from '@sse/core';
import { sse as expressSse } from '@sse/express';
import { ssePlugin } from '@sse/fastify';
import { sse as koaSse } from '@sse/koa';
import express from 'express';
import fastify from 'fastify';
import Koa from 'koa';
import { openNodeStream } from '@sse/core/node';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, readResponseEvents, sseParser, type SseTestEvent } from './index';

const greet: RequestListener = (req, res) => {
  if (req.url?.startsWith('/missing')) {
    res.statusCode = 404;
    res.end('nope');
    return;
  }
  const stream = openNodeStream(req, res, { heartbeat: false });
  void (async () => {
    await stream.send('hello', { id: '1' });
    await stream.send({ to: 'world' }, { event: 'greeting', id: '2' });
    if (req.url?.startsWith('/slow')) return;
    await stream.send(`from ${String(req.headers['last-event-id'] ?? 'nobody')}`);
  })();
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('readEvents', () => {
  it('reads the first N events of a request listener it starts and stops itself', async () => {
    const events = await readEvents(greet, '/events', { count: 2 });
    expect(events).toEqual<SseTestEvent[]>([
      { event: 'message', data: 'hello', id: '1' },
      { event: 'greeting', data: '{"to":"world"}', id: '2' },
    ]);
  });

  it('sends the given headers and reads from a server that is already listening', async () => {
    const server = createServer(greet);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const events = await readEvents(server, '/events', {
      count: 3,
      headers: { 'last-event-id': '41' },
    });
    expect(events[2]?.data).toBe('from 41');
    expect(server.listening).toBe(true);
  });

  it('rejects with the status when the endpoint is not an SSE stream', async () => {
    await expect(readEvents(greet, '/missing', { count: 1 })).rejects.toThrow(/got 404/);
  });

  it('rejects after the timeout saying how many events came', async () => {
    await expect(readEvents(greet, '/slow', { count: 3, timeoutMs: 300 })).rejects.toThrow(
      /expected 3 SSE events within 300 ms, got 2/,
    );
  });
});

describe('sseParser', () => {
  it('lets supertest assert on the first events of an endless stream', async () => {
    const res = await request(greet)
      .get('/events')
      .buffer(true)
      .parse(sseParser({ count: 2 }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect((res.body as SseTestEvent[]).map((event) => event.event)).toEqual([
      'message',
      'greeting',
    ]);
  });
});

describe('readResponseEvents', () => {
  it('reads events from a fetch Response', async () => {
    const response = createResponse(
      new Request('http://localhost/events'),
      { heartbeat: false },
      async (stream) => {
        await stream.send('one');
        await stream.send('two\nlines');
      },
    );
    const events = await readResponseEvents(response, { count: 2 });
    expect(events.map((event) => event.data)).toEqual(['one', 'two\nlines']);
  });

  it('rejects when the stream ends before enough events', async () => {
    const response = createResponse(
      new Request('http://localhost/events'),
      { heartbeat: false },
      async (stream) => {
        await stream.send('only');
        stream.close();
      },
    );
    await expect(readResponseEvents(response, { count: 2 })).rejects.toThrow(/ended after 1 of 2/);
  });
});

describe('readEvents with framework apps', () => {
  const hello = async (stream: SseStream) => {
    await stream.send('hi', { event: 'greeting' });
  };

  it('reads from an Express app', async () => {
    const app = express();
    app.get('/events', expressSse({ heartbeat: false }, hello));
    const [event] = await readEvents(app, '/events', { count: 1 });
    expect(event).toEqual({ event: 'greeting', data: 'hi', id: undefined });
  });

  it("reads from a Koa app's callback()", async () => {
    const app = new Koa();
    app.use(koaSse({ heartbeat: false }, hello));
    const [event] = await readEvents(app.callback(), '/events', { count: 1 });
    expect(event?.data).toBe('hi');
  });

  it('reads from a ready Fastify server', async () => {
    const app = fastify();
    await app.register(ssePlugin, { heartbeat: false });
    app.get('/events', (_request, reply) => reply.sse(hello));
    await app.ready();
    cleanups.push(() => app.close());
    const [event] = await readEvents(app.server, '/events', { count: 1 });
    expect(event?.data).toBe('hi');
  });
});
