import { useMemoryStreams, type MemorySseClient } from '@sse/test-kit/unit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { activeHeartbeatTimers } from './heartbeat';
import type { SseStream } from './stream';

// Only the heartbeat's shared interval is faked; the client's reads and waits keep real time.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

// Registered after the hook above, so it runs first: streams close while the timers are fake.
const openStream = useMemoryStreams();

const countHeartbeats = (text: string) =>
  text.split('\n\n').filter((frame) => frame === ':').length;

/**
 * Sends a marker event and waits for it: since a connection keeps order, every heartbeat
 * written before the marker is then in `client.text()`.
 */
async function sync(stream: SseStream, client: MemorySseClient): Promise<void> {
  const marker = `marker-${client.events.length}`;
  await stream.send(marker);
  await client.waitForText((text) => text.includes(`data: ${marker}\n\n`));
}

/** The heartbeats received between the last two markers. */
function heartbeatsSinceLastMarker(client: MemorySseClient): number {
  const text = client.text();
  const lastMarker = text.lastIndexOf('data: marker-');
  const previous = text.lastIndexOf('data: marker-', lastMarker - 1);
  return countHeartbeats(text.slice(Math.max(previous, 0), lastMarker));
}

async function open(
  heartbeat: number | false,
): Promise<{ stream: SseStream; client: MemorySseClient }> {
  const opened = openStream({ heartbeat });
  await opened.client.waitForText((text) => text.startsWith(': \n\n'));
  return opened;
}

describe('heartbeat', () => {
  it('sends a comment only once the stream has been idle for the interval', async () => {
    const { stream, client } = await open(1000);
    await sync(stream, client);

    vi.advanceTimersByTime(999);
    await sync(stream, client);
    expect(heartbeatsSinceLastMarker(client)).toBe(0);

    vi.advanceTimersByTime(1250);
    await client.waitForText((text) => countHeartbeats(text) === 1);
    await sync(stream, client);
    expect(heartbeatsSinceLastMarker(client)).toBe(1);
    // Clients ignore it: no event was dispatched for it.
    expect(client.events.every((event) => event.data.startsWith('marker-'))).toBe(true);
  });

  it('sends none while events keep the stream busy', async () => {
    const { stream, client } = await open(2000);
    await sync(stream, client);
    for (let i = 0; i < 12; i++) {
      vi.advanceTimersByTime(500);
      await stream.send(`busy ${i}`);
    }
    await sync(stream, client);
    expect(countHeartbeats(client.text())).toBe(0);
  });

  it('keeps sending while the stream stays idle', async () => {
    const { stream, client } = await open(3000);
    await sync(stream, client);
    for (let beat = 1; beat <= 3; beat++) {
      vi.advanceTimersByTime(3750);
      await client.waitForText((text) => countHeartbeats(text) === beat);
    }
    await sync(stream, client);
    expect(countHeartbeats(client.text())).toBe(3);
  });

  it('follows a configured interval per stream', async () => {
    const fast = await open(4000);
    const slow = await open(16_000);
    expect(activeHeartbeatTimers()).toBe(2);

    vi.advanceTimersByTime(5000);
    await fast.client.waitForText((text) => countHeartbeats(text) === 1);
    await sync(slow.stream, slow.client);
    expect(countHeartbeats(slow.client.text())).toBe(0);

    // Idle since the marker: one interval and a quarter later the slow stream is pinged too.
    vi.advanceTimersByTime(20_000);
    await slow.client.waitForText((text) => countHeartbeats(text) === 1);
    await sync(fast.stream, fast.client);
    expect(countHeartbeats(fast.client.text())).toBeGreaterThan(1);
  });

  it('sends nothing with heartbeat: false and starts no timer', async () => {
    const { stream, client } = await open(false);
    expect(activeHeartbeatTimers()).toBe(0);
    vi.advanceTimersByTime(60 * 60 * 1000);
    await sync(stream, client);
    expect(countHeartbeats(client.text())).toBe(0);
  });

  it('shares one timer among streams and stops it when the last one closes', () => {
    const opened = Array.from({ length: 5 }, () => openStream({ heartbeat: 7000 }));
    expect(activeHeartbeatTimers()).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    for (const { client } of opened) client.close();
    expect(opened.every(({ stream }) => stream.reason === 'client')).toBe(true);
    expect(activeHeartbeatTimers()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives every stream its own timer on Cloudflare Workers, each heartbeated', async () => {
    // workerd cancels a request that has nothing pending of its own: a shared timer would keep
    // only the first stream's request alive.
    vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' });
    const opened = [1, 2, 3].map(() => openStream({ heartbeat: 2000 }));
    expect(activeHeartbeatTimers()).toBe(3);
    expect(vi.getTimerCount()).toBe(3);

    vi.advanceTimersByTime(2500);
    for (const { client } of opened) {
      await client.waitForText((text) => countHeartbeats(text) === 1);
    }
    opened[0]!.client.close();
    expect(opened[0]!.stream.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(2);
    for (const { client } of opened.slice(1)) client.close();
    expect(opened.every(({ stream }) => stream.closed)).toBe(true);
    expect(activeHeartbeatTimers()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
