import {
  retainedMemory,
  useMemoryStreams,
  waitUntil,
  type MemorySseClient,
  type MemoryStreamOptions,
} from '@sse/test-kit/unit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel } from './channel';
import { parseEventId } from './event-id';

const KiB = 1024;
const MiB = 1024 * KiB;

let channel: Channel | undefined;
afterEach(() => {
  channel?.close();
  channel = undefined;
});
const open = useMemoryStreams();

/**
 * Publishes `count` events of `size` bytes, `batch` at a time, waiting for `readers` to keep up.
 * Resolves with the ids of the events, in publish order.
 */
async function publishBatches(
  target: Channel,
  readers: MemorySseClient[],
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

/** A new channel with `history`, and a function opening a stream subscribed to it. */
function serveChannel(history: number, maxBufferedBytes?: number) {
  const subscribed = createChannel({ history });
  channel = subscribed;
  const subscriber = (options: MemoryStreamOptions = {}) => {
    const memory = open({ heartbeat: false, maxBufferedBytes, ...options });
    subscribed.subscribe(memory.stream);
    return memory;
  };
  return { subscribed, subscriber };
}

describe('a client that stops reading', () => {
  it('is closed as "slow" once its unsent bytes pass maxBufferedBytes (never read)', async () => {
    const { subscribed, subscriber } = serveChannel(4, 256 * KiB);
    const { stream } = subscriber({ paused: true });
    const payload = 'y'.repeat(64 * KiB);
    let peakBuffered = 0;
    for (let i = 0; i < 2000 && !stream.closed; i++) {
      await subscribed.publish(payload);
      peakBuffered = Math.max(peakBuffered, stream.bufferedBytes);
    }
    expect(stream.reason).toBe('slow');
    // It never held more than the hard limit (twice maxBufferedBytes) and one more event.
    expect(peakBuffered).toBeLessThanOrEqual(2 * 256 * KiB + 64 * KiB + 64);
    expect(subscribed.size).toBe(0);
    expect(subscribed.stats().closedSlow).toBe(1);
  });

  it('is closed as "slow" once the event loop turns with its unsent bytes still over the limit', async () => {
    const { subscribed, subscriber } = serveChannel(4, 256 * KiB);
    const { stream } = subscriber({ paused: true });
    const payload = 'y'.repeat(64 * KiB);
    // Stay between the limit and the hard limit.
    for (let i = 0; i < 2000 && stream.bufferedBytes <= 256 * KiB; i++) {
      void subscribed.publish(payload);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stream.bufferedBytes).toBeLessThan(2 * 256 * KiB);
    await waitUntil(() => stream.closed, 'the slow verdict', 2000);
    expect(stream.reason).toBe('slow');
    expect(subscribed.stats().closedSlow).toBe(1);
  });

  it('is not closed by a burst over the limit within one tick when it reads everything', async () => {
    const { subscribed, subscriber } = serveChannel(64, 64 * KiB);
    const { stream, client } = subscriber();
    // 96 KiB in one tick: over maxBufferedBytes until the client reads it, under the hard limit.
    const payload = 'z'.repeat(8 * KiB);
    for (let i = 0; i < 12; i++) void subscribed.publish(payload);
    expect(stream.bufferedBytes).toBeGreaterThan(64 * KiB);
    await client.waitForEvents(12, 10_000);
    expect(stream.reason).toBeUndefined();
    expect(subscribed.stats().closedSlow).toBe(0);
  });

  it('delivers one event larger than twice the limit to a client that reads', async () => {
    const { subscribed, subscriber } = serveChannel(4, 64 * KiB);
    const { stream, client } = subscriber();
    const big = 'b'.repeat(200 * KiB);
    await subscribed.publish(big);
    await client.waitForEvents(1, 10_000);
    await subscribed.publish('after');
    const events = await client.waitForEvents(2, 10_000);
    expect(events.map((event) => event.data.length)).toEqual([big.length, 'after'.length]);
    expect(stream.reason).toBeUndefined();
  });

  it('replays a history larger than twice the limit to a reconnecting client that reads', async () => {
    const { subscribed, subscriber } = serveChannel(1000, 64 * KiB);
    const payload = 'h'.repeat(4 * KiB);
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await subscribed.publish(payload));
    // 99 events of 4 KiB to replay: 396 KiB, six times the client's budget.
    const { stream, client } = subscriber({ lastEventId: ids[0] });
    const events = await client.waitForEvents(99, 10_000);
    expect(events.map((event) => event.id)).toEqual(ids.slice(1));
    expect(stream.reason).toBeUndefined();
    expect(subscribed.stats().closedSlow).toBe(0);
  });

  it('is closed as "slow" when its client pauses, while the others get every event', async () => {
    const { subscribed, subscriber } = serveChannel(8);
    const paused = subscriber({ retain: false });
    paused.client.pause();
    const stalled = subscriber({ paused: true });
    const SIZE = 64 * KiB;
    const COUNT = 1024; // 64 MiB in all
    const received: string[][] = [[], []];
    const intact = [true, true];
    const readers = [0, 1].map((r) =>
      subscriber({
        retain: false,
        onEvent: (event) => {
          // Rebuilt from numbers: the parsed id is a slice of the parser's buffer and would
          // keep every 64 KiB chunk alive, which this test measures.
          const id = parseEventId(event.id ?? '');
          received[r]!.push(id ? `${id.ms}-${id.seq}` : `unexpected id ${event.id}`);
          if (event.data.length !== SIZE) intact[r] = false;
        },
      }),
    );
    expect(subscribed.size).toBe(4);

    const start = retainedMemory();
    let peak = 0;
    let batches = 0;
    const published = await publishBatches(
      subscribed,
      readers.map((reader) => reader.client),
      {
        count: COUNT,
        size: SIZE,
        // A burst written within one tick waits for the next turn whoever reads it: keep bursts
        // under maxBufferedBytes (1 MiB by default) and let readers catch up between them.
        batch: 8,
        onBatch: () => {
          if (++batches % 16 === 0) peak = Math.max(peak, retainedMemory() - start);
        },
      },
    );

    expect([paused.stream.reason, stalled.stream.reason]).toEqual(['slow', 'slow']);
    expect(readers.map((reader) => reader.stream.reason)).toEqual([undefined, undefined]);
    expect(subscribed.stats()).toMatchObject({ subscribers: 2, published: COUNT, closedSlow: 2 });
    expect(received).toEqual([published, published]);
    expect(intact).toEqual([true, true]);
    // 64 MiB went out; the server held on to a small, fixed part of it at any time.
    expect(peak / MiB).toBeLessThan(16);
  }, 60_000);
});

describe('SseStream.send under backpressure', () => {
  it('waits for the client to drain: buffered bytes and memory stay flat', async () => {
    const SIZE = 16 * KiB;
    const COUNT = 1024; // 16 MiB
    const highWaterMark = 16 * KiB;
    // A huge limit: only backpressure can keep the buffer small here.
    const { stream, client } = open({
      heartbeat: false,
      maxBufferedBytes: 1024 * MiB,
      highWaterMark,
      retain: false,
      paused: true,
    });
    // A slow reader: it takes 16 KiB per turn of the event loop.
    let reading = true;
    const readSlowly = () => {
      if (!reading) return;
      client.read(16 * KiB);
      setImmediate(readSlowly);
    };
    readSlowly();
    let peakBuffered = 0;
    let waited = 0;
    const memory: number[] = [];
    try {
      const payload = 'z'.repeat(SIZE);
      for (let i = 1; i <= COUNT; i++) {
        const sent = stream.send(payload, { id: String(i) });
        if (stream.bufferedBytes >= highWaterMark) waited++;
        peakBuffered = Math.max(peakBuffered, stream.bufferedBytes);
        await sent;
        if (i % 128 === 0) memory.push(retainedMemory());
      }
      await client.waitForCount(COUNT, 30_000);
    } finally {
      reading = false;
    }
    expect(stream.closed).toBe(false);
    expect(client.count).toBe(COUNT);
    expect(waited).toBeGreaterThan(0);
    expect(peakBuffered).toBeLessThanOrEqual(2 * highWaterMark + SIZE + 64);
    expect((Math.max(...memory) - Math.min(...memory)) / MiB).toBeLessThan(8);
  }, 60_000);
});
