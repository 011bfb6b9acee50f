import { readSlowly, serveNodeSse, type NodeSseServer } from '@sse/test-kit';
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

    const { received, tail, peakMemory: peak } = await readSlowly(server.url);
    console.info(
      `run replay: ${(received / MB).toFixed(1)} MB sent, server memory +${(peak / MB).toFixed(1)} MB at most`,
    );
    expect(received).toBeGreaterThan(50 * 1000 * 1000);
    expect(tail).toMatch(/event: sse-end\ndata: \{\}\n\n$/);
    expect(peak).toBeLessThan(12 * MB);
  }, 60_000);
});
