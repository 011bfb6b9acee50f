import {
  openLeanSse,
  openRawSse,
  retainedMemory,
  serveNodeSse,
  waitUntil,
  type NodeSseServer,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel } from './channel';
import { activeHeartbeatTimers } from './heartbeat';
import type { SseCloseReason } from './stream';

const MiB = 1024 * 1024;

let server: NodeSseServer | undefined;
const channels: Channel[] = [];
afterEach(async () => {
  for (const channel of channels.splice(0)) channel.close();
  await server?.close();
  server = undefined;
});

function twoChannels(): [Channel, Channel] {
  const pair: [Channel, Channel] = [createChannel(), createChannel()];
  channels.push(...pair);
  return pair;
}

describe('a client that leaves', () => {
  it('closes the stream, aborts its signal, reports "client" and leaves every channel', async () => {
    const [news, chat] = twoChannels();
    const reasons: SseCloseReason[] = [];
    let aborted = false;
    server = await serveNodeSse({ heartbeat: 10_000 }, (stream) => {
      news.subscribe(stream);
      chat.subscribe(stream);
      stream.onClose((reason) => reasons.push(reason));
      stream.signal.addEventListener('abort', () => (aborted = true));
    });
    const client = await openRawSse(server.url);
    await waitUntil(() => news.size === 1 && chat.size === 1, 'both subscriptions');
    await news.publish('hello');
    await client.waitForEvents(1);

    client.close();
    await waitUntil(
      () => news.size === 0 && chat.size === 0,
      'both channels to drop the client',
      500,
    );
    const stream = await server.streamAt(0);
    expect(stream.closed).toBe(true);
    expect(stream.reason).toBe('client');
    expect(stream.signal.aborted).toBe(true);
    expect(aborted).toBe(true);
    expect(reasons).toEqual(['client']);
    expect(activeHeartbeatTimers()).toBe(0);
    // Publishing after the client left is harmless and delivers nothing more.
    const before = news.stats().delivered;
    await news.publish('nobody here');
    expect(news.stats().delivered).toBe(before);
  });

  it('leaves nothing behind after 3000 connect/abort cycles', async () => {
    const [news, chat] = twoChannels();
    let closed = 0;
    server = await serveNodeSse({ heartbeat: 30_000 }, (stream) => {
      news.subscribe(stream);
      chat.subscribe(stream, { filter: () => true });
      stream.onClose(() => closed++);
      stream.signal.addEventListener('abort', () => {}, { once: true });
    });
    const url = server.url;
    const opened = server.streams;
    const cycles = async (count: number, batch: number) => {
      for (let done = 0; done < count; done += batch) {
        const clients = await Promise.all(Array.from({ length: batch }, () => openLeanSse(url)));
        await news.publish({ batch: done });
        for (const client of clients) client.close();
        await waitUntil(() => news.size === 0 && chat.size === 0, 'the batch to leave', 10_000);
      }
      // The test server keeps every stream it opened: forget them to measure the library.
      opened.length = 0;
    };

    await cycles(200, 100); // warm-up: JIT, socket pools, lazily created internals
    const start = retainedMemory();
    await cycles(3000, 100);
    await waitUntil(() => closed === 3200, 'every stream to report its close');
    const end = retainedMemory();

    expect(news.size).toBe(0);
    expect(chat.size).toBe(0);
    expect(news.stats()).toMatchObject({ subscribers: 0, published: 32 });
    expect(activeHeartbeatTimers()).toBe(0);
    expect((end - start) / MiB).toBeLessThan(4);
  }, 60_000);
});
