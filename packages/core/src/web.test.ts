import { createParser, type EventSourceMessage } from 'eventsource-parser';
import {
  openRawSse,
  recordEventSource,
  serveFetch,
  waitUntil,
  type Listening,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from './channel';
import { SseError } from './errors';
import type { SseCloseReason, SseStream } from './stream';
import { createResponse, createSseBody, createSseHeaders } from './web';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Reads a web body as a browser's parser would, until `count` events or the end. */
async function readEvents(body: ReadableStream<Uint8Array>, count: number) {
  const events: EventSourceMessage[] = [];
  let text = '';
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  while (events.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = decoder.decode(value, { stream: true });
    text += chunk;
    parser.feed(chunk);
  }
  reader.releaseLock();
  return { events, text };
}

function request(url = 'http://localhost/events', init?: RequestInit): Request {
  return new Request(url, init);
}

describe('createResponse', () => {
  it('answers 200 with the SSE headers and no hop-by-hop ones', () => {
    const response = createResponse(request(), {
      heartbeat: false,
      headers: {
        'access-control-allow-origin': '*',
        'content-type': 'text/plain',
        'content-length': '3',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.has('content-length')).toBe(false);
    expect(response.headers.has('connection')).toBe(false);
    void response.body?.cancel();
  });

  it('flushes the opening comment and retry at once, then the events the handler sends', async () => {
    const response = createResponse(
      request(),
      { heartbeat: false, retry: 1500 },
      async (stream) => {
        await stream.send('hello', { id: '1' });
        await stream.send({ a: [1] }, { event: 'obj' });
        stream.close();
      },
    );
    const { events, text } = await readEvents(response.body!, Infinity);
    expect(text.startsWith(': \nretry: 1500\n\n')).toBe(true);
    expect(events).toEqual([
      { id: '1', event: undefined, data: 'hello' },
      { id: undefined, event: 'obj', data: '{"a":[1]}' },
    ]);
  });

  it('reads lastEventId from the header, else the query', async () => {
    const seen: (string | undefined)[] = [];
    const collect = (stream: SseStream) => {
      seen.push(stream.lastEventId);
      stream.close();
    };
    const bodies = [
      createResponse(
        request('http://x/?lastEventId=q', { headers: { 'last-event-id': 'h' } }),
        {},
        collect,
      ),
      createResponse(request('http://x/?lastEventId=q'), {}, collect),
      createResponse(request('http://x/'), {}, collect),
    ].map((response) => response.body!);
    await Promise.all(bodies.map((body) => readEvents(body, Infinity)));
    expect(seen).toEqual(['h', 'q', undefined]);
  });

  it('sends a handler error to onError and ends the body', async () => {
    const errors: unknown[] = [];
    const failure = new Error('handler broke');
    const response = createResponse(request(), { onError: (error) => errors.push(error) }, () => {
      throw failure;
    });
    const { events } = await readEvents(response.body!, Infinity);
    expect(events).toEqual([]);
    expect(errors).toEqual([failure]);
  });

  it('throws SseError for bad options before building a response', () => {
    expect(() => createResponse(request(), { heartbeat: -1 })).toThrow(SseError);
    expect(() => createResponse(request(), { maxBufferedBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_OPTIONS' }),
    );
    expect(() => createResponse(request(), { retry: 1.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_FORMAT', field: 'retry' }),
    );
  });
});

describe('createSseBody', () => {
  it('closes the stream as "client" when the request is aborted', async () => {
    const controller = new AbortController();
    const { stream, body } = createSseBody(request('http://x/', { signal: controller.signal }));
    const reasons: SseCloseReason[] = [];
    stream.onClose((reason) => reasons.push(reason));
    controller.abort();
    expect(reasons).toEqual(['client']);
    expect(stream.signal.aborted).toBe(true);
    await body.cancel().catch(() => {});
  });

  it('closes the stream as "client" when the body is cancelled', async () => {
    const { stream, body } = createSseBody(request(), { heartbeat: 60_000 });
    await body.cancel();
    expect(stream.reason).toBe('client');
    await stream.send('ignored');
  });

  it('opens closed when the request was already aborted', () => {
    const { stream } = createSseBody(request('http://x/', { signal: AbortSignal.abort() }));
    expect(stream.reason).toBe('client');
  });

  it('makes an awaited send() wait while the body is not read, holding ~highWaterMark', async () => {
    const highWaterMark = 4096;
    const { stream, body } = createSseBody(request(), { heartbeat: false, highWaterMark });
    const frame = 'x'.repeat(1000);
    let sent = 0;
    let peak = 0;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) {
        await stream.send(frame);
        sent++;
        peak = Math.max(peak, stream.bufferedBytes);
      }
    })();
    await new Promise((resolve) => setImmediate(resolve));
    // Nobody reads: the writer is parked on backpressure.
    expect(sent).toBeLessThan(20);
    const { events } = await readEvents(body, 20);
    await writer;
    expect(events).toHaveLength(20);
    expect(peak).toBeLessThanOrEqual(highWaterMark + 1100);
  });

  it('builds the headers alone with createSseHeaders', () => {
    const headers = createSseHeaders({ 'x-trace': 'abc', 'cache-control': 'max-age=60' });
    expect(headers.get('x-trace')).toBe('abc');
    expect(headers.get('cache-control')).toBe('no-cache, no-transform');
  });
});

describe('createResponse served by @hono/node-server', () => {
  async function serve(handler: (stream: SseStream) => void | Promise<void>): Promise<Listening> {
    const server = await serveFetch((req) => createResponse(req, { heartbeat: false }, handler));
    cleanups.push(() => server.close());
    return server;
  }

  it("fires the EventSource client's open at once and delivers events", async () => {
    let opened: SseStream | undefined;
    const server = await serve((stream) => {
      opened = stream;
    });
    const source = recordEventSource(server.url, ['named']);
    cleanups.push(() => source.close());
    await source.opened;
    expect(source.received).toEqual([]);
    await opened!.send('plain');
    await opened!.send('with name', { event: 'named', id: '9' });
    const received = await source.waitFor(2);
    expect(received).toEqual([
      { type: 'message', data: 'plain', lastEventId: '' },
      { type: 'named', data: 'with name', lastEventId: '9' },
    ]);
  });

  it('sees the client leave: "client", signal aborted, channel dropped within 500 ms', async () => {
    const channel = createChannel();
    cleanups.push(() => channel.close());
    const reasons: SseCloseReason[] = [];
    const server = await serve((stream) => {
      channel.subscribe(stream);
      stream.onClose((reason) => reasons.push(reason));
    });
    const client = await openRawSse(server.url);
    await waitUntil(() => channel.size === 1, 'the subscription');
    await channel.publish('hi');
    await client.waitForEvents(1);
    client.close();
    await waitUntil(() => channel.size === 0, 'the channel to drop the client', 500);
    await waitUntil(() => reasons.length === 1, 'the close to be reported');
    expect(reasons).toEqual(['client']);
  });

  it('ends the HTTP response when the stream is closed by the server', async () => {
    const server = await serve(async (stream) => {
      await stream.send('bye');
      stream.close();
    });
    const client = await openRawSse(server.url);
    await client.ended;
    expect(client.events.map((e) => e.data)).toEqual(['bye']);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });
});
