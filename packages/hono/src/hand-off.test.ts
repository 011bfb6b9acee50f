import { createServer, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { listen, openRawSse, waitUntil, type Listening } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { SseCloseReason, SseStream } from '@sse/core';
import { createSseBody, createSseHeaders } from '@sse/core/adapter';
import { handOffTo } from './hand-off';

let server: Listening | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** What the test server saw of one connection. */
interface Served {
  stream: SseStream;
  /** Reads the serving loop made from the body. */
  reads: number;
  reasons: SseCloseReason[];
}

/**
 * A fetch-style server in miniature, as @hono/node-server serves a body: headers first, then
 * a loop that reads the body and writes each chunk (through `rewrite`) into the response.
 */
async function serveBodies(rewrite: (chunk: Uint8Array) => Uint8Array = (chunk) => chunk) {
  const served: Served[] = [];
  const node = createServer((req, res) => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const request = new Request(`http://localhost${req.url}`, { signal: abort.signal });
    const { stream, body } = createSseBody(request, { heartbeat: false }, handOffTo(res));
    const entry: Served = { stream, reads: 0, reasons: [] };
    stream.onClose((reason) => entry.reasons.push(reason));
    served.push(entry);
    res.writeHead(200, Object.fromEntries(createSseHeaders()));
    res.flushHeaders();
    void pump(body.getReader(), res, entry, rewrite);
  });
  server = await listen(node);
  return { url: server.url, served };
}

async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  res: ServerResponse,
  entry: Served,
  rewrite: (chunk: Uint8Array) => Uint8Array,
): Promise<void> {
  res.on('close', () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      entry.reads++;
      if (done) return void res.end();
      if (!res.write(rewrite(value))) await once(res, 'drain');
    }
  } catch {
    res.destroy();
  }
}

async function sendNumbered(stream: SseStream, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await stream.send({ i }, { id: String(i) });
    // One frame per tick: each would be a read of its own without the hand-off.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('createSseBody with the Node response it is served into', () => {
  it('writes frames to the response directly once the server is seen serving the body as is', async () => {
    const { url, served } = await serveBodies();
    const client = await openRawSse(url);
    await waitUntil(() => served.length === 1, 'the request arrived');

    await sendNumbered(served[0]!.stream, 50);
    const events = await client.waitForEvents(50);

    expect(events.map((e) => e.id)).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
    expect(events.map((e) => e.data)).toEqual(
      Array.from({ length: 50 }, (_, i) => `{"i":${i + 1}}`),
    );
    // The opening comment and the first frames went through the body; the rest went straight.
    expect(served[0]!.reads).toBeLessThan(5);
    client.close();
  });

  it('keeps every frame in the body when the server rewrites what it reads', async () => {
    // A server (or middleware) that re-encodes the body never writes our chunks as they are.
    const { url, served } = await serveBodies((chunk) =>
      Buffer.from(Buffer.from(chunk).toString('utf8').replaceAll('data: ', 'data: >')),
    );
    const client = await openRawSse(url);
    await waitUntil(() => served.length === 1, 'the request arrived');

    await sendNumbered(served[0]!.stream, 30);
    const events = await client.waitForEvents(30);

    expect(events.map((e) => e.data)).toEqual(
      Array.from({ length: 30 }, (_, i) => `>{"i":${i + 1}}`),
    );
    expect(served[0]!.reads).toBeGreaterThanOrEqual(30);
    client.close();
  });

  it('ends through the body after the hand-off: the server ends the response', async () => {
    const { url, served } = await serveBodies();
    const client = await openRawSse(url);
    await waitUntil(() => served.length === 1, 'the request arrived');
    const { stream } = served[0]!;

    await sendNumbered(stream, 10);
    await client.waitForEvents(10);
    stream.close();

    await client.ended;
    expect(served[0]!.reasons).toEqual(['server']);
    expect(client.events).toHaveLength(10);
  });

  it('sees the client leave after the hand-off', async () => {
    const { url, served } = await serveBodies();
    const client = await openRawSse(url);
    await waitUntil(() => served.length === 1, 'the request arrived');
    await sendNumbered(served[0]!.stream, 10);
    await client.waitForEvents(10);

    client.close();

    await waitUntil(() => served[0]!.reasons.length > 0, 'the stream closed');
    expect(served[0]!.reasons).toEqual(['client']);
    expect(served[0]!.stream.signal.aborted).toBe(true);
  });

  it('waits for the response to drain after the hand-off', async () => {
    const { url, served } = await serveBodies();
    const client = await openRawSse(url);
    await waitUntil(() => served.length === 1, 'the request arrived');
    const { stream } = served[0]!;
    await sendNumbered(stream, 5);
    await client.waitForEvents(5);

    client.pause();
    const big = 'x'.repeat(64 * 1024);
    // send() waits for drain: with a client that reads nothing the sends stop resolving, and
    // the bytes held stay near the high-water mark instead of growing with every send.
    let sent = 0;
    for (let i = 0; i < 400 && !stream.closed; i++) {
      const accepted = await Promise.race([
        stream.send(big).then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 200)),
      ]);
      if (!accepted) break;
      sent++;
    }
    expect(sent).toBeLessThan(400);
    expect(stream.bufferedBytes).toBeLessThan(4 * 1024 * 1024);
    client.close();
  });
});
