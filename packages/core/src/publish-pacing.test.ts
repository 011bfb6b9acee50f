import { openLeanSse, openStalledSocket, serveNodeSse, type NodeSseServer } from '@sse/test-kit';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel } from './channel';
import type { SseCloseReason } from './stream';

let server: NodeSseServer | undefined;
let channel: Channel | undefined;
const sockets: ({ destroy(): void } | { close(): void })[] = [];

afterEach(async () => {
  channel?.close();
  for (const socket of sockets.splice(0)) {
    if ('destroy' in socket) socket.destroy();
    else socket.close();
  }
  await server?.close();
  server = undefined;
  channel = undefined;
});

async function serveChannel(maxBufferedBytes?: number) {
  const reasons: SseCloseReason[] = [];
  channel = createChannel({ history: 10 });
  const subscribed = channel;
  server = await serveNodeSse({ heartbeat: false, maxBufferedBytes }, (stream) => {
    stream.onClose((reason) => reasons.push(reason));
    subscribed.subscribe(stream);
  });
  return { url: server.url, channel: subscribed, reasons };
}

describe('Channel.publish pacing', () => {
  it('delivers a 30 MB burst awaited event by event to a client that keeps reading', async () => {
    const { url, channel, reasons } = await serveChannel();
    const client = await openLeanSse(url);
    sockets.push(client);
    const row = { payload: 'x'.repeat(1000) };
    const events = 30_000;
    for (let i = 0; i < events; i++) await channel.publish(row);
    await client.waitForCount(events, 20_000);
    expect(client.count).toBe(events);
    expect(reasons).toEqual([]);
    expect(channel.stats().closedSlow).toBe(0);
  });

  it('cuts off a stalled client within the slow verdict and keeps pace for the others', async () => {
    const { url, channel, reasons } = await serveChannel(64 * 1024);
    const fast = await Promise.all([openLeanSse(url), openLeanSse(url)]);
    sockets.push(...fast);
    const stalled: Socket = await openStalledSocket(url);
    sockets.push(stalled);
    while (channel.size < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const row = 'y'.repeat(1000);
    const events = 5_000;
    for (let i = 0; i < events; i++) await channel.publish(row);
    await Promise.all(fast.map((client) => client.waitForCount(events, 10_000)));
    expect(reasons).toEqual(['slow']);
    expect(channel.stats().closedSlow).toBe(1);
  });

  it('bounds what a publisher that does not await can queue for a stalled client', async () => {
    const { url, channel, reasons } = await serveChannel(64 * 1024);
    const stalled = await openStalledSocket(url);
    sockets.push(stalled);
    while (channel.size < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const row = 'z'.repeat(1000);
    const pending: Promise<string>[] = [];
    // 20 MB, 100 kB per turn, never awaited: far more than the kernel's socket buffers.
    for (let turn = 0; turn < 200 && reasons.length === 0; turn++) {
      for (let i = 0; i < 100; i++) pending.push(channel.publish(row));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(pending);
    expect(reasons).toEqual(['slow']);
  });
});
