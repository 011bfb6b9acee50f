import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listen, openRawSse, serveNodeSse, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { build } from 'tsdown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as CoreEntry from './index';
import type * as NodeEntry from './node';

type Core = typeof CoreEntry;
type Node = typeof NodeEntry;

const root = fileURLToPath(new URL('..', import.meta.url));
let outDir: string;
let esm: { core: Core; node: Node };
let cjs: { core: Core; node: Node };
let server: NodeSseServer | undefined;

// A CJS app with an ESM dependency (or the reverse) loads both builds of @sse/core in one
// process: a channel of one and a stream of the other must still keep every frame in order.
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'sse-dual-'));
  await build({
    config: false,
    cwd: root,
    entry: ['src/index.ts', 'src/node.ts'],
    format: ['esm', 'cjs'],
    platform: 'neutral',
    outDir,
    dts: false,
    fixedExtension: true,
    logLevel: 'silent',
  });
  esm = {
    core: (await import(pathToFileURL(join(outDir, 'index.mjs')).href)) as Core,
    node: (await import(pathToFileURL(join(outDir, 'node.mjs')).href)) as Node,
  };
  const require = createRequire(join(outDir, 'index.cjs'));
  cjs = { core: require('./index.cjs') as Core, node: require('./node.cjs') as Node };
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(outDir, { recursive: true, force: true });
});

describe('the ESM and CJS builds loaded in one process', () => {
  it('are two copies of the library', () => {
    expect(esm.core.createChannel).not.toBe(cjs.core.createChannel);
  });

  it('keep publish and send in call order, and write a publish made just before close', async () => {
    const channel = esm.core.createChannel();
    let done: Promise<void> | undefined;
    const http = createServer((req, res) => {
      const stream = cjs.node.openNodeStream(req, res, { heartbeat: false });
      channel.subscribe(stream, { lastEventId: undefined });
      done = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        void channel.publish('published 1');
        void stream.send('sent 2');
        void channel.publish('published 3');
        void stream.send('sent 4');
        void channel.publish('published last');
        stream.close();
      })();
    });
    const listening = await listen(http);
    try {
      const client = await openRawSse(listening.url);
      await client.ended;
      await done;
      expect(client.events.map((event) => event.data)).toEqual([
        'published 1',
        'sent 2',
        'published 3',
        'sent 4',
        'published last',
      ]);
    } finally {
      await listening.close();
      channel.close();
    }
  });

  it('replay a list of channels from both builds merged in id order', async () => {
    const a = esm.core.createChannel();
    const b = cjs.core.createChannel();
    const first = await a.publish('a1');
    const expected = [await b.publish('b1'), await a.publish('a2'), await b.publish('b2')];
    server = await serveNodeSse({ heartbeat: false }, (stream) => {
      esm.core.subscribeAll(stream, [a, b]);
    });
    const client = await openRawSse(server.url, { headers: { 'last-event-id': first } });
    const events = await client.waitForEvents(3);
    expect(events.map((event) => event.id)).toEqual(expected);
    await waitUntil(() => a.size === 1 && b.size === 1, 'live on both');
    client.close();
    a.close();
    b.close();
  });
});
