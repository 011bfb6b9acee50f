import { request, type IncomingMessage } from 'node:http';
import { retainedMemory, serveNodeSse, sleep, type NodeSseServer } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub } from './hub';
import type { Hub } from './hub-types';

let server: NodeSseServer | undefined;
let hub: Hub<{ message: string }> | undefined;
afterEach(async () => {
  hub?.close();
  await server?.close();
  server = undefined;
  hub = undefined;
});

const MB = 1024 * 1024;

/** Opens `url` and hands back the response, read by the caller one chunk at a time. */
function openSlowReader(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream' }, agent: false });
    req.on('response', (res) => {
      res.pause();
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads one chunk (or `null` at the end), so the reader goes at the pace the test sets. */
function readChunk(res: IncomingMessage): Promise<Buffer | null> {
  const chunk = res.read() as Buffer | null;
  if (chunk !== null || res.readableEnded) return Promise.resolve(chunk);
  return new Promise((resolve) => {
    const done = () => {
      res.off('readable', done);
      res.off('end', done);
      resolve(res.read() as Buffer | null);
    };
    res.on('readable', done);
    res.on('end', done);
  });
}

describe('run replay', () => {
  it('replays a 50 MB run to a slow reader in pieces: server memory grows by a few MB', async () => {
    const created = createHub<{ message: string }>();
    hub = created;
    server = await serveNodeSse({ heartbeat: false }, (stream) => {
      created.topics('log').subscribe(stream);
    });
    const run = created.run('log');
    const line = 'x'.repeat(10 * 1024);
    for (let i = 0; i < 5000; i++) await run.publish(line);
    await run.end();

    const before = retainedMemory();
    const res = await openSlowReader(server.url);
    let received = 0;
    let tail = '';
    let peak = 0;
    for (let chunks = 0; ; chunks++) {
      const chunk = await readChunk(res);
      if (chunk === null) break;
      received += chunk.length;
      tail = (tail + chunk.toString('latin1')).slice(-200);
      // A slow reader: a pause between chunks, and the server's memory looked at now and then.
      if (chunks % 8 === 0) await sleep(1);
      if (chunks % 150 === 0) peak = Math.max(peak, retainedMemory() - before);
    }
    console.info(
      `run replay: ${(received / MB).toFixed(1)} MB sent, server memory +${(peak / MB).toFixed(1)} MB at most`,
    );
    expect(received).toBeGreaterThan(50 * 1000 * 1000);
    expect(tail).toMatch(/event: sse-end\ndata: \{\}\n\n$/);
    expect(peak).toBeLessThan(12 * MB);
  }, 60_000);
});
