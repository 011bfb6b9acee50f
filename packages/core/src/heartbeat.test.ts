import {
  openRawSse,
  serveNodeSse,
  waitUntil,
  type NodeSseServer,
  type RawSseResponse,
} from '@sse/test-kit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { activeHeartbeatTimers } from './heartbeat';
import type { SseStream } from './stream';

// Only the heartbeat's shared interval is faked; sockets and waits keep real time.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});

let server: NodeSseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const countHeartbeats = (text: string) =>
  text.split('\n\n').filter((frame) => frame === ':').length;

/**
 * Sends a marker event and waits for it: since a connection keeps order, every heartbeat
 * written before the marker is then in `client.text()`.
 */
async function sync(stream: SseStream, client: RawSseResponse): Promise<void> {
  const marker = `marker-${client.events.length}`;
  await stream.send(marker);
  await client.waitForText((text) => text.includes(`data: ${marker}\n\n`));
}

/** The heartbeats received between the last two markers. */
function heartbeatsSinceLastMarker(client: RawSseResponse): number {
  const text = client.text();
  const lastMarker = text.lastIndexOf('data: marker-');
  const previous = text.lastIndexOf('data: marker-', lastMarker - 1);
  return countHeartbeats(text.slice(Math.max(previous, 0), lastMarker));
}

async function open(
  heartbeat: number | false,
): Promise<{ stream: SseStream; client: RawSseResponse }> {
  server = await serveNodeSse((req) => ({
    heartbeat: req.url === '/off' ? false : heartbeat,
  }));
  const client = await openRawSse(`${server.url}${heartbeat === false ? '/off' : '/'}`);
  await client.waitForText((text) => text.startsWith(': \n\n'));
  return { stream: await server.streamAt(0), client };
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
    client.close();
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
    client.close();
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
    client.close();
  });

  it('follows a configured interval per stream', async () => {
    server = await serveNodeSse((req) => ({ heartbeat: req.url === '/fast' ? 4000 : 16_000 }));
    const fast = await openRawSse(`${server.url}/fast`);
    const fastStream = await server.streamAt(0);
    const slow = await openRawSse(`${server.url}/slow`);
    const slowStream = await server.streamAt(1);
    expect(activeHeartbeatTimers()).toBe(2);

    vi.advanceTimersByTime(5000);
    await fast.waitForText((text) => countHeartbeats(text) === 1);
    await sync(slowStream, slow);
    expect(countHeartbeats(slow.text())).toBe(0);

    // Idle since the marker: one interval and a quarter later the slow stream is pinged too.
    vi.advanceTimersByTime(20_000);
    await slow.waitForText((text) => countHeartbeats(text) === 1);
    await sync(fastStream, fast);
    expect(countHeartbeats(fast.text())).toBeGreaterThan(1);
    fast.close();
    slow.close();
  });

  it('sends nothing with heartbeat: false and starts no timer', async () => {
    const { stream, client } = await open(false);
    expect(activeHeartbeatTimers()).toBe(0);
    vi.advanceTimersByTime(60 * 60 * 1000);
    await sync(stream, client);
    expect(countHeartbeats(client.text())).toBe(0);
    client.close();
  });

  it('shares one timer among streams and stops it when the last one closes', async () => {
    server = await serveNodeSse({ heartbeat: 7000 });
    const clients = await Promise.all(Array.from({ length: 5 }, () => openRawSse(server!.url)));
    await server.streamAt(4);
    expect(activeHeartbeatTimers()).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    for (const client of clients) client.close();
    await waitUntil(() => server!.streams.every((s) => s.closed), 'every stream to close');
    expect(activeHeartbeatTimers()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives every stream its own timer on Cloudflare Workers, each heartbeated', async () => {
    // workerd cancels a request that has nothing pending of its own: a shared timer would keep
    // only the first stream's request alive.
    vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' });
    server = await serveNodeSse({ heartbeat: 2000 });
    const clients = await Promise.all([1, 2, 3].map(() => openRawSse(server!.url)));
    await server.streamAt(2);
    expect(activeHeartbeatTimers()).toBe(3);
    expect(vi.getTimerCount()).toBe(3);

    vi.advanceTimersByTime(2500);
    for (const client of clients) {
      await client.waitForText((text) => countHeartbeats(text) === 1);
    }
    clients[0]!.close();
    await waitUntil(() => server!.streams[0]!.closed, 'the first stream to close');
    expect(vi.getTimerCount()).toBe(2);
    for (const client of clients.slice(1)) client.close();
    await waitUntil(() => server!.streams.every((s) => s.closed), 'every stream to close');
    expect(activeHeartbeatTimers()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
