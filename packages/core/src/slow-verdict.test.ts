import { request } from 'node:http';
import { openStalledSocket, serveNodeSse, type NodeSseServer } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from './channel';
import type { SseCloseReason } from './stream';

let server: NodeSseServer | undefined;
const sockets: { destroy(): void }[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
});

/** Reads `url` at about `bytesPerSecond`, pausing the socket between slices. */
function readThrottled(url: string, bytesPerSecond: number, until: (text: string) => boolean) {
  return new Promise<{ bytes: number; ended: boolean }>((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } });
    req.on('error', reject);
    req.on('response', (res) => {
      let bytes = 0;
      let tail = '';
      const started = Date.now();
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        tail = (tail + chunk.toString('latin1')).slice(-64);
        if (until(tail)) {
          resolve({ bytes, ended: false });
          res.destroy();
          return;
        }
        const due = (bytes / bytesPerSecond) * 1000 - (Date.now() - started);
        if (due > 0) {
          res.pause();
          setTimeout(() => res.resume(), due);
        }
      });
      res.on('close', () => resolve({ bytes, ended: true }));
    });
    req.end();
  });
}

describe('the slow-client verdict', () => {
  it('never cuts off a reader that keeps draining one event ten times its budget', async () => {
    const reasons: SseCloseReason[] = [];
    const channel = createChannel();
    // A short heartbeat: frames written behind the big event must not count against it.
    server = await serveNodeSse({ heartbeat: 50 }, (stream) => {
      stream.onClose((reason) => reasons.push(reason));
      channel.subscribe(stream);
    });
    const reading = readThrottled(server.url, 20 * 1024 * 1024, (tail) => tail.includes('END'));
    while (channel.size < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await channel.publish(`${'a'.repeat(10 * 1024 * 1024)}END`);
    const result = await reading;
    expect(result.ended).toBe(false);
    expect(result.bytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(reasons).toEqual([]);
    channel.close();
  });

  it('still cuts off a client that stops reading', async () => {
    const reasons: SseCloseReason[] = [];
    const channel = createChannel();
    server = await serveNodeSse({ heartbeat: 50, maxBufferedBytes: 64 * 1024 }, (stream) => {
      stream.onClose((reason) => reasons.push(reason));
      channel.subscribe(stream);
    });
    const stalled = await openStalledSocket(server.url);
    sockets.push(stalled);
    while (channel.size < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await channel.publish('b'.repeat(4 * 1024 * 1024));
    const deadline = Date.now() + 5000;
    while (reasons.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(reasons).toEqual(['slow']);
    channel.close();
  });
});
