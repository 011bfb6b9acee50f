import type { Socket } from 'node:net';
import {
  openLeanSse,
  openRawSse,
  openStalledSocket,
  retainedMemory,
  serveNodeSse,
  waitUntil,
  type LeanSseClient,
  type NodeSseServer,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel } from './channel';
import { parseEventId } from './event-id';
import type { SseStream } from './stream';

const KiB = 1024;
const MiB = 1024 * KiB;

let server: NodeSseServer | undefined;
let channel: Channel | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  channel?.close();
  await server?.close();
  server = channel = undefined;
});

/**
 * Publishes `count` events of `size` bytes, `batch` at a time, waiting for `readers` to keep up.
 * Resolves with the ids of the events, in publish order.
 */
async function publishBatches(
  target: Channel,
  readers: LeanSseClient[],
  {
    count,
    size,
    batch,
    onBatch,
  }: { count: number; size: number; batch: number; onBatch?: () => void },
): Promise<string[]> {
  const payload = 'x'.repeat(size);
  const ids: string[] = [];
  for (let sent = 0; sent < count;) {
    for (let i = 0; i < batch && sent < count; i++, sent++) ids.push(await target.publish(payload));
    await Promise.all(readers.map((reader) => reader.waitForCount(sent, 20_000)));
    onBatch?.();
  }
  return ids;
}

/** A node SSE server whose every stream subscribes to a new channel; returns the channel. */
async function serveChannel(
  history: number,
  maxBufferedBytes: number,
): Promise<{ subscribed: Channel; served: NodeSseServer }> {
  const subscribed = createChannel({ history });
  const served = await serveNodeSse({ heartbeat: false, maxBufferedBytes }, (stream) => {
    subscribed.subscribe(stream);
  });
  channel = subscribed;
  server = served;
  return { subscribed, served };
}

describe('a client that stops reading', () => {
  it('is closed as "slow" once its unsent bytes pass maxBufferedBytes (socket never read)', async () => {
    const { subscribed, served } = await serveChannel(4, 256 * KiB);
    sockets.push(await openStalledSocket(served.url));
    const stream = await served.streamAt(0);
    await waitUntil(() => subscribed.size === 1, 'the subscription');
    const payload = 'y'.repeat(64 * KiB);
    let peakBuffered = 0;
    for (let i = 0; i < 2000 && !stream.closed; i++) {
      await subscribed.publish(payload);
      peakBuffered = Math.max(peakBuffered, stream.bufferedBytes);
    }
    expect(stream.reason).toBe('slow');
    // Without a turn of the event loop the socket cannot catch up, so it is cut at the hard
    // limit (twice maxBufferedBytes): at most one more event was queued past it.
    expect(peakBuffered).toBeLessThanOrEqual(2 * 256 * KiB + 64 * KiB + 64);
    expect(subscribed.size).toBe(0);
    expect(subscribed.stats().closedSlow).toBe(1);
  });

  it('is closed as "slow" once the event loop turns with its unsent bytes still over the limit', async () => {
    const { subscribed, served } = await serveChannel(4, 256 * KiB);
    sockets.push(await openStalledSocket(served.url));
    const stream = await served.streamAt(0);
    await waitUntil(() => subscribed.size === 1, 'the subscription');
    const payload = 'y'.repeat(64 * KiB);
    // Fill the kernel's buffers first, then stay between the limit and the hard limit.
    for (let i = 0; i < 2000 && stream.bufferedBytes <= 256 * KiB; i++) {
      await subscribed.publish(payload);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil(() => stream.closed, 'the slow verdict', 2000);
    expect(stream.reason).toBe('slow');
    expect(subscribed.stats().closedSlow).toBe(1);
  });

  it('is not closed by a burst over the limit within one tick when it reads everything', async () => {
    const { subscribed, served } = await serveChannel(64, 64 * KiB);
    const reader = await openRawSse(served.url);
    const stream = await served.streamAt(0);
    await waitUntil(() => subscribed.size === 1, 'the subscription');
    // 96 KiB in one tick: over maxBufferedBytes until the socket writes it, under the hard limit.
    const payload = 'z'.repeat(8 * KiB);
    for (let i = 0; i < 12; i++) void subscribed.publish(payload);
    await reader.waitForEvents(12, 10_000);
    expect(stream.reason).toBeUndefined();
    expect(subscribed.stats().closedSlow).toBe(0);
    reader.close();
  });

  it('delivers one event larger than twice the limit to a client that reads', async () => {
    const { subscribed, served } = await serveChannel(4, 64 * KiB);
    const reader = await openRawSse(served.url);
    const stream = await served.streamAt(0);
    await waitUntil(() => subscribed.size === 1, 'the subscription');
    const big = 'b'.repeat(200 * KiB);
    await subscribed.publish(big);
    await reader.waitForEvents(1, 10_000);
    await subscribed.publish('after');
    const events = await reader.waitForEvents(2, 10_000);
    expect(events.map((event) => event.data.length)).toEqual([big.length, 'after'.length]);
    expect(stream.reason).toBeUndefined();
    reader.close();
  });

  it('replays a history larger than twice the limit to a reconnecting client that reads', async () => {
    const { subscribed, served } = await serveChannel(1000, 64 * KiB);
    const payload = 'h'.repeat(4 * KiB);
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await subscribed.publish(payload));
    // 99 events of 4 KiB to replay: 396 KiB, six times the client's budget.
    const reader = await openRawSse(served.url, { headers: { 'last-event-id': ids[0]! } });
    const events = await reader.waitForEvents(99, 10_000);
    expect(events.map((event) => event.id)).toEqual(ids.slice(1));
    const stream = await served.streamAt(0);
    expect(stream.reason).toBeUndefined();
    expect(subscribed.stats().closedSlow).toBe(0);
    reader.close();
  });

  it('is closed as "slow" when its HTTP client pauses, while the others get every event', async () => {
    channel = createChannel({ history: 8 });
    const subscribed = channel;
    server = await serveNodeSse({ heartbeat: false }, (stream) => {
      subscribed.subscribe(stream);
    });
    const paused = await openRawSse(server.url);
    paused.pause();
    sockets.push(await openStalledSocket(server.url));
    const SIZE = 64 * KiB;
    const COUNT = 1024; // 64 MiB in all
    const received: string[][] = [[], []];
    const intact = [true, true];
    const readers = await Promise.all(
      [0, 1].map((r) =>
        openLeanSse(server!.url, {
          onEvent: (event) => {
            // Rebuilt from numbers: the parsed id is a slice of the parser's buffer and would
            // keep every 64 KiB chunk alive, which this test measures.
            const id = parseEventId(event.id ?? '');
            received[r]!.push(id ? `${id.ms}-${id.seq}` : `unexpected id ${event.id}`);
            if (event.data.length !== SIZE) intact[r] = false;
          },
        }),
      ),
    );
    await waitUntil(() => subscribed.size === 4, 'four subscribers');
    const streams: SseStream[] = server.streams;

    const start = retainedMemory();
    let peak = 0;
    let batches = 0;
    const published = await publishBatches(subscribed, readers, {
      count: COUNT,
      size: SIZE,
      // A burst written within one tick sits in Node's buffers whoever reads it: keep bursts
      // under maxBufferedBytes (1 MiB by default) and let readers catch up between them.
      batch: 8,
      onBatch: () => {
        if (++batches % 16 === 0) peak = Math.max(peak, retainedMemory() - start);
      },
    });

    expect(streams.filter((s) => s.reason === 'slow')).toHaveLength(2);
    expect(subscribed.stats()).toMatchObject({ subscribers: 2, published: COUNT, closedSlow: 2 });
    expect(received).toEqual([published, published]);
    expect(intact).toEqual([true, true]);
    // 64 MiB went out; the server held on to a small, fixed part of it at any time.
    expect(peak / MiB).toBeLessThan(16);
    for (const reader of readers) reader.close();
    paused.close();
  }, 60_000);
});

describe('SseStream.send under backpressure', () => {
  it('waits for the socket to drain: buffered bytes and memory stay flat', async () => {
    const SIZE = 16 * KiB;
    const COUNT = 1024; // 16 MiB
    let peakBuffered = 0;
    let highWaterMark = 0;
    let waited = 0;
    const memory: number[] = [];
    server = await serveNodeSse(
      // A huge limit: only backpressure can keep the buffer small here.
      { heartbeat: false, maxBufferedBytes: 1024 * MiB },
      async (stream, _req, res) => {
        highWaterMark = res.writableHighWaterMark;
        const payload = 'z'.repeat(SIZE);
        for (let i = 1; i <= COUNT; i++) {
          const sent = stream.send(payload, { id: String(i) });
          if (stream.bufferedBytes >= highWaterMark) waited++;
          peakBuffered = Math.max(peakBuffered, stream.bufferedBytes);
          await sent;
          if (i % 128 === 0) memory.push(retainedMemory());
        }
      },
    );
    let count = 0;
    const client = await openLeanSse(server.url, { onEvent: () => count++ });
    // A slow reader: it takes one chunk off the socket every couple of milliseconds.
    client.pause();
    const reader = setInterval(() => client.resume(), 2);
    const pauser = setInterval(() => client.pause(), 1);
    try {
      await client.waitForCount(COUNT, 30_000);
    } finally {
      clearInterval(reader);
      clearInterval(pauser);
    }
    const stream = await server.streamAt(0);
    expect(stream.closed).toBe(false);
    expect(count).toBe(COUNT);
    expect(waited).toBeGreaterThan(0);
    expect(peakBuffered).toBeLessThanOrEqual(2 * highWaterMark + SIZE + 64);
    expect((Math.max(...memory) - Math.min(...memory)) / MiB).toBeLessThan(8);
    client.close();
  }, 60_000);
});
