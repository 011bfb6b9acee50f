import { sleep, useMemoryStreams, waitUntil, type MemorySseClient } from '@sse/test-kit/unit';
import { describe, expect, it } from 'vitest';
import { createChannel } from './channel';
import type { SseCloseReason } from './stream';

const open = useMemoryStreams();

/** Reads `client` at about `bytesPerSecond` until `stop()` is called or the stream ends. */
function readThrottled(client: MemorySseClient, bytesPerSecond: number): { stop(): void } {
  const started = Date.now();
  let read = 0;
  let stopped = false;
  const step = () => {
    if (stopped || client.finished) return;
    const due = ((Date.now() - started) / 1000) * bytesPerSecond - read;
    if (due > 0) read += client.read(due);
    setTimeout(step, 5);
  };
  step();
  return { stop: () => (stopped = true) };
}

describe('the slow-client verdict', () => {
  it('never cuts off a reader that keeps draining one event ten times its budget', async () => {
    const reasons: SseCloseReason[] = [];
    const channel = createChannel();
    let ended = false;
    // A short heartbeat: frames written behind the big event must not count against it.
    const { stream, client } = open({
      heartbeat: 50,
      paused: true,
      retain: false,
      onEvent: (event) => (ended ||= event.data.endsWith('END')),
    });
    stream.onClose((reason) => reasons.push(reason));
    channel.subscribe(stream);
    const reader = readThrottled(client, 20 * 1024 * 1024);
    await channel.publish(`${'a'.repeat(10 * 1024 * 1024)}END`);
    await waitUntil(() => ended || client.finished !== undefined, 'the big event', 10_000);
    reader.stop();
    expect(client.finished).toBeUndefined();
    expect(ended).toBe(true);
    expect(client.bytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(reasons).toEqual([]);
    channel.close();
  });

  it('still cuts off a client that stops reading', async () => {
    const reasons: SseCloseReason[] = [];
    const channel = createChannel();
    const { stream } = open({ heartbeat: 50, maxBufferedBytes: 64 * 1024, paused: true });
    stream.onClose((reason) => reasons.push(reason));
    channel.subscribe(stream);
    await channel.publish('b'.repeat(4 * 1024 * 1024));
    const deadline = Date.now() + 5000;
    while (reasons.length === 0 && Date.now() < deadline) await sleep(20);
    expect(reasons).toEqual(['slow']);
    channel.close();
  });
});
