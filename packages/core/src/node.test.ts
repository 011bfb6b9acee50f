import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  connect as connectHttp2,
  createServer as createHttp2Server,
  type ClientHttp2Session,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import {
  listen,
  openRawSse,
  recordEventSource,
  serveNodeSse,
  waitUntil,
  type Listening,
  type RecordingEventSource,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { SseError } from './errors';
import { openNodeStream } from './node';
import type { SseStream } from './stream';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Listening> {
  const listening = await listen(createServer(handler));
  cleanups.push(() => listening.close());
  return listening;
}

describe('openNodeStream over node:http', () => {
  it('sends the SSE headers of an HTTP/1.1 stream', async () => {
    const server = await serveNodeSse({ heartbeat: false });
    cleanups.push(() => server.close());
    const client = await openRawSse(server.url);
    cleanups.push(() => client.close());
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.headers['cache-control']).toBe('no-cache, no-transform');
    expect(client.headers['x-accel-buffering']).toBe('no');
    expect(client.headers.connection).toBe('keep-alive');
    expect(client.headers['content-length']).toBeUndefined();
    expect(client.headers['transfer-encoding']).toBe('chunked');
  });

  it('keeps headers set before it and drops a content-length that would cut the stream', async () => {
    const server = await serve((req, res) => {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('content-length', '10');
      openNodeStream(req, res, { heartbeat: false });
    });
    const client = await openRawSse(server.url);
    cleanups.push(() => client.close());
    expect(client.headers['access-control-allow-origin']).toBe('*');
    expect(client.headers['content-length']).toBeUndefined();
    expect(client.headers['transfer-encoding']).toBe('chunked');
  });

  it("fires the EventSource client's open before any event is sent", async () => {
    let stream: SseStream | undefined;
    const server = await serve((req, res) => {
      stream = openNodeStream(req, res, { heartbeat: false });
    });
    const source: RecordingEventSource = recordEventSource(server.url);
    cleanups.push(() => source.close());
    await source.opened;
    expect(source.received).toEqual([]);
    expect(source.source.readyState).toBe(source.source.OPEN);
    // The stream is still usable after the early flush.
    await stream!.send('first');
    await source.waitFor(1);
    expect(source.received[0]!.data).toBe('first');
  });

  it('reads lastEventId from the Last-Event-ID header, else from the lastEventId query', async () => {
    const server = await serveNodeSse({ heartbeat: false }, (stream) =>
      stream.send(String(stream.lastEventId)),
    );
    cleanups.push(() => server.close());
    const viaHeader = await openRawSse(`${server.url}/?lastEventId=q`, {
      headers: { 'last-event-id': 'h' },
    });
    const viaQuery = await openRawSse(`${server.url}/?lastEventId=q`);
    const none = await openRawSse(server.url);
    cleanups.push(
      () => viaHeader.close(),
      () => viaQuery.close(),
      () => none.close(),
    );
    expect((await viaHeader.waitForEvents(1))[0]!.data).toBe('h');
    expect((await viaQuery.waitForEvents(1))[0]!.data).toBe('q');
    expect((await none.waitForEvents(1))[0]!.data).toBe('undefined');
  });

  it('throws ERR_SSE_HEADERS_SENT when the response has already started', async () => {
    let thrown: unknown;
    const server = await serve((req, res) => {
      res.writeHead(204);
      try {
        openNodeStream(req, res);
      } catch (error) {
        thrown = error;
      }
      res.end();
    });
    const response = await fetch(server.url);
    expect(response.status).toBe(204);
    expect(thrown).toBeInstanceOf(SseError);
    expect(thrown).toMatchObject({ code: 'ERR_SSE_HEADERS_SENT' });
  });

  it.each([
    ['a zero heartbeat', { heartbeat: 0 }, 'ERR_SSE_OPTIONS'],
    ['a negative maxBufferedBytes', { maxBufferedBytes: -1 }, 'ERR_SSE_OPTIONS'],
    ['a NaN heartbeat', { heartbeat: Number.NaN }, 'ERR_SSE_OPTIONS'],
    ['a negative retry', { retry: -1 }, 'ERR_SSE_FORMAT'],
  ])('throws before writing anything for %s', async (_name, options, code) => {
    let thrown: unknown;
    const server = await serve((req, res) => {
      try {
        openNodeStream(req, res, options);
      } catch (error) {
        thrown = error;
      }
      // Nothing was sent, so the app can still answer however it likes.
      expect(res.headersSent).toBe(false);
      res.statusCode = 500;
      res.end('bad options');
    });
    const response = await fetch(server.url);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBeNull();
    expect(await response.text()).toBe('bad options');
    expect(thrown).toMatchObject({ code });
  });

  it('closes at once a stream opened after the client already left', async () => {
    let stream: SseStream | undefined;
    const server = await serve((req, res) => {
      req.socket.destroy();
      res.once('close', () => {
        stream = openNodeStream(req, res, { heartbeat: 60_000 });
      });
    });
    await openRawSse(server.url, { timeoutMs: 500 }).catch(() => undefined);
    await waitUntil(() => stream !== undefined, 'the late stream to open');
    expect(stream!.closed).toBe(true);
    expect(stream!.reason).toBe('client');
    // send() must not wait forever for a drain that cannot come.
    await stream!.send('into the void');
  });
});

describe('openNodeStream over node:http2', () => {
  async function serveHttp2(
    onStream: (stream: SseStream) => void | Promise<void>,
  ): Promise<ClientHttp2Session> {
    const server = createHttp2Server((req: Http2ServerRequest, res: Http2ServerResponse) => {
      const stream = openNodeStream(req, res, { heartbeat: false });
      void onStream(stream);
    });
    const listening = await listen(server);
    cleanups.push(() => listening.close());
    const session = connectHttp2(listening.url);
    session.on('error', () => {});
    cleanups.push(() => session.destroy());
    return session;
  }

  it('sends no Connection header and streams events (h2c)', async () => {
    const session = await serveHttp2(async (stream) => {
      await stream.send('over h2', { id: '1' });
      await stream.send({ n: 2 }, { event: 'json', id: '2' });
    });
    const request = session.request({ ':path': '/', accept: 'text/event-stream' });
    const headers = await new Promise<Record<string, unknown>>((resolve) =>
      request.on('response', resolve),
    );
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache, no-transform');
    expect(headers['x-accel-buffering']).toBe('no');
    expect(headers).not.toHaveProperty('connection');
    expect(headers).not.toHaveProperty('keep-alive');
    expect(headers).not.toHaveProperty('transfer-encoding');

    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => parser.feed(chunk));
    await waitUntil(() => events.length >= 2, 'two events over HTTP/2');
    expect(events).toEqual([
      { id: '1', event: undefined, data: 'over h2' },
      { id: '2', event: 'json', data: '{"n":2}' },
    ]);
    request.close();
  });

  it('closes at once a stream opened after the HTTP/2 client already left', async () => {
    let stream: SseStream | undefined;
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const server = createHttp2Server((req: Http2ServerRequest, res: Http2ServerResponse) => {
      received();
      res.once('close', () => {
        stream = openNodeStream(req, res, { heartbeat: 60_000 });
      });
    });
    const listening = await listen(server);
    cleanups.push(() => listening.close());
    const session = connectHttp2(listening.url);
    session.on('error', () => {});
    cleanups.push(() => session.destroy());
    const request = session.request({ ':path': '/' });
    request.on('error', () => {});
    await arrived;
    request.close();
    await waitUntil(() => stream !== undefined, 'the late stream to open');
    expect(stream!.reason).toBe('client');
    await stream!.send('into the void');
  });

  it('reports the client leaving as reason "client"', async () => {
    const reasons: string[] = [];
    let stream: SseStream | undefined;
    const session = await serveHttp2((s) => {
      stream = s;
      s.onClose((reason) => reasons.push(reason));
    });
    const request = session.request({ ':path': '/' });
    await new Promise((resolve) => request.on('response', resolve));
    request.close();
    await waitUntil(() => reasons.length > 0, 'the stream to see the client leave');
    expect(reasons).toEqual(['client']);
    expect(stream!.signal.aborted).toBe(true);
  });
});
