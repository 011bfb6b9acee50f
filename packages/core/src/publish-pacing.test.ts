import { useMemoryStreams, type MemoryStreamOptions } from '@sse/test-kit/unit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel } from './channel';
import type { SseCloseReason } from './stream';

let channel: Channel | undefined;
afterEach(() => {
  channel?.close();
  channel = undefined;
});
const open = useMemoryStreams();

/** A channel with history 10, and a function opening a stream subscribed to it. */
function serveChannel(maxBufferedBytes?: number) {
  const reasons: SseCloseReason[] = [];
  const subscribed = createChannel({ history: 10 });
  channel = subscribed;
  const subscriber = (options: MemoryStreamOptions = {}) => {
    const memory = open({ heartbeat: false, maxBufferedBytes, retain: false, ...options });
    memory.stream.onClose((reason) => reasons.push(reason));
    subscribed.subscribe(memory.stream);
    return memory;
  };
  return { channel: subscribed, subscriber, reasons };
}

describe('Channel.publish pacing', () => {
  it('delivers a 30 MB burst awaited event by event to a client that keeps reading', async () => {
    const { channel, subscriber, reasons } = serveChannel();
    const { client } = subscriber();
    const row = { payload: 'x'.repeat(1000) };
    const events = 30_000;
    for (let i = 0; i < events; i++) await channel.publish(row);
    await client.waitForCount(events, 20_000);
    expect(client.count).toBe(events);
    expect(reasons).toEqual([]);
    expect(channel.stats().closedSlow).toBe(0);
  });

  it('cuts off a stalled client within the slow verdict and keeps pace for the others', async () => {
    const { channel, subscriber, reasons } = serveChannel(64 * 1024);
    const fast = [subscriber().client, subscriber().client];
    subscriber({ paused: true });
    const row = 'y'.repeat(1000);
    const events = 5_000;
    for (let i = 0; i < events; i++) await channel.publish(row);
    await Promise.all(fast.map((client) => client.waitForCount(events, 10_000)));
    expect(reasons).toEqual(['slow']);
    expect(channel.stats().closedSlow).toBe(1);
  });

  it('bounds what a publisher that does not await can queue for a stalled client', async () => {
    const { channel, subscriber, reasons } = serveChannel(64 * 1024);
    const stalled = subscriber({ paused: true });
    const row = 'z'.repeat(1000);
    const pending: Promise<string>[] = [];
    let peak = 0;
    // 20 MB, 100 kB per turn, never awaited: far more than the client's budget.
    for (let turn = 0; turn < 200 && reasons.length === 0; turn++) {
      for (let i = 0; i < 100; i++) pending.push(channel.publish(row));
      peak = Math.max(peak, stalled.client.bufferedBytes);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(pending);
    expect(reasons).toEqual(['slow']);
    // Cut at the hard limit: twice the budget plus the largest chunk queued (a turn's 100
    // events, written as one), and the chunk that went over it.
    expect(peak).toBeLessThanOrEqual(2 * 64 * 1024 + 2 * 100 * 1100);
  });
});
