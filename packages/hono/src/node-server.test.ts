import { once } from 'node:events';
import { createServer as createHttp2Server, connect, type ClientHttp2Session } from 'node:http2';
import { createAdaptorServer } from '@hono/node-server';
import { createChannel, type SseCloseReason } from '@sse/core';
import {
  listen,
  openRawSse,
  recordEventSource,
  waitUntil,
  type Listening,
  type RecordingEventSource,
} from '@sse/test-kit';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sse } from './index';

let server: Listening | undefined;
let session: ClientHttp2Session | undefined;
let source: RecordingEventSource | undefined;

afterEach(async () => {
  source?.close();
  session?.destroy();
  await server?.close();
  server = source = session = undefined;
});

async function serve(app: Hono, http2 = false): Promise<Listening> {
  const node = createAdaptorServer({
    fetch: app.fetch,
    ...(http2 ? { createServer: createHttp2Server } : {}),
  });
  server = await listen(node);
  return server;
}

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
    const channel = createChannel();
    const reasons: SseCloseReason[] = [];
    const app = new Hono();
    app.get(
      '/events',
      sse({ channel, heartbeat: false }, (stream) => void stream.onClose((r) => reasons.push(r))),
    );
    const { url } = await serve(app);
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

  it('keeps the headers of hono/cors with credentials on the SSE response', async () => {
    const app = new Hono();
    app.use('/events', cors({ origin: 'http://app.test', credentials: true }));
    app.get('/events', sse({ heartbeat: false }));
    const { url } = await serve(app);

    const res = await openRawSse(`${url}/events`, { headers: { origin: 'http://app.test' } });

    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://app.test');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await res.waitForText((text) => text.startsWith(': \n\n'));
    res.close();
  });

  it('lets hono/cors answer a preflight without opening a stream', async () => {
    let opened = 0;
    const app = new Hono();
    app.use('/events', cors({ origin: 'http://app.test', credentials: true }));
    app.get(
      '/events',
      sse({ heartbeat: false }, () => void opened++),
    );
    const { url } = await serve(app);

    const res = await openRawSse(`${url}/events`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.test',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'last-event-id',
      },
    });
    await res.ended;

    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://app.test');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-headers']).toBe('last-event-id');
    expect(res.headers['content-type']).not.toContain('text/event-stream');
    expect(opened).toBe(0);
  });

  it('serves HTTP/2 with no connection-specific headers and sees the client leave', async () => {
    const channel = createChannel();
    const reasons: SseCloseReason[] = [];
    const app = new Hono();
    app.get(
      '/events',
      sse({ channel, heartbeat: false }, (stream) => void stream.onClose((r) => reasons.push(r))),
    );
    const { url } = await serve(app, true);

    session = connect(url);
    const request = session.request({ ':path': '/events' });
    const [headers] = (await once(request, 'response')) as [Record<string, string | undefined>];
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => parser.feed(chunk));

    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['transfer-encoding']).toBeUndefined();
    expect(headers['connection']).toBeUndefined();
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    await channel.publish('over h2', { id: '1' });
    await waitUntil(() => events.length === 1, 'the event arrived');
    expect(events[0]).toMatchObject({ id: '1', data: 'over h2' });

    request.close();
    await waitUntil(() => channel.size === 0, 'the stream unsubscribed');
    expect(reasons).toEqual(['client']);
  });
});
