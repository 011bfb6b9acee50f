import { request } from 'node:http';
import { serveNodeSse, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { createParser } from 'eventsource-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from './channel';

let server: NodeSseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Counts the chunks (socket reads) a client receives and the events in them. */
function readChunks(url: string) {
  const seen = { chunks: 0, data: [] as string[], firstAt: 0 };
  const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } });
  req.on('response', (res) => {
    const parser = createParser({
      onEvent: (event) => {
        if (seen.data.length === 0) seen.firstAt = performance.now();
        seen.data.push(event.data);
      },
    });
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      seen.chunks++;
      parser.feed(chunk);
    });
  });
  req.end();
  return { seen, close: () => req.destroy() };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createChannel({ batchDelay })', () => {
  it('writes events published one per turn within the window as one write, in order', async () => {
    const channel = createChannel({ batchDelay: 200 });
    server = await serveNodeSse({ heartbeat: false }, (stream) => void channel.subscribe(stream));
    const client = readChunks(server.url);
    await waitUntil(() => channel.size === 1 && client.seen.chunks > 0, 'subscribed');
    const chunksBefore = client.seen.chunks;
    const started = performance.now();
    const sent: string[] = [];
    for (let i = 0; i < 20; i++) {
      sent.push(`event ${i}`);
      await channel.publish(`event ${i}`);
      await nextTurn();
    }
    await waitUntil(() => client.seen.data.length === 20, 'every event');
    expect(client.seen.data).toEqual(sent);
    // 20 events in a few writes (one per window), not 20.
    expect(client.seen.chunks - chunksBefore).toBeLessThanOrEqual(3);
    // The first event waited for its window, and not much longer.
    expect(client.seen.firstAt - started).toBeGreaterThanOrEqual(150);
    expect(client.seen.firstAt - started).toBeLessThan(1000);
    client.close();
    channel.close();
  });

  it('writes each event at once by default', async () => {
    const channel = createChannel();
    server = await serveNodeSse({ heartbeat: false }, (stream) => void channel.subscribe(stream));
    const client = readChunks(server.url);
    await waitUntil(() => channel.size === 1 && client.seen.chunks > 0, 'subscribed');
    for (let i = 0; i < 5; i++) {
      await channel.publish(`event ${i}`);
      await waitUntil(() => client.seen.data.length === i + 1, `event ${i}`);
    }
    client.close();
    channel.close();
  });

  it('rejects a negative or non-numeric window', () => {
    expect(() => createChannel({ batchDelay: -1 })).toThrow(/batchDelay/);
    expect(() => createChannel({ batchDelay: Number.NaN })).toThrow(/batchDelay/);
  });
});
