import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub } from '@sse/core';
import { openRawSse, serveNodeSse, type NodeSseServer } from '@sse/test-kit';
import { redisBroker } from './index';
import { freshPrefix, REDIS_URL } from './redis-test-helpers.test-helper';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const REPO_ROOT = source('../../../');
const LEASE_MS = 1000;

/**
 * A producer in a process of its own (tsx, on the sources): a run publishing a token every
 * 20 ms, on a redisBroker with a 1 s lease. Prints "producing" once tokens are stored; ends
 * the run (`{ reason: "cancelled" }`) and exits when its signal aborts.
 */
function startProducer(prefix: string, name: string): { child: ChildProcess; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sse-run-producer-'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { paths: { '@sse/core': [source('../../core/src/index.ts')] } },
    }),
  );
  writeFileSync(
    join(dir, 'producer.ts'),
    `import { createHub } from '@sse/core';
import { redisBroker } from ${JSON.stringify(source('./index.ts'))};
const hub = createHub({ broker: redisBroker({ url: ${JSON.stringify(REDIS_URL)}, prefix: ${JSON.stringify(prefix)} }) });
const run = hub.run(${JSON.stringify(name)}, { lease: ${LEASE_MS} });
let i = 0;
const timer = setInterval(() => {
  const n = i++;
  void run.publish('t' + n).then(() => { if (n === 5) console.log('producing'); });
}, 20);
run.signal.addEventListener('abort', () => {
  clearInterval(timer);
  void run.end({ reason: 'cancelled' }).then(() => process.exit(0));
});
`,
  );
  // One process (tsx as a loader, not its CLI, which runs the script in a child of its own),
  // so that SIGKILL kills the producer itself.
  const child = spawn(process.execPath, ['--import', tsxLoader(), join(dir, 'producer.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(dir, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, dir };
}

/** tsx's loader, as pnpm installed it for the examples that use it. */
function tsxLoader(): string {
  const store = join(REPO_ROOT, 'node_modules/.pnpm');
  const tsx = readdirSync(store).find((name) => name.startsWith('tsx@'));
  if (!tsx) throw new Error(`tsx is not installed under ${store}`);
  return pathToFileURL(join(store, tsx, 'node_modules/tsx/dist/loader.mjs')).href;
}

let cleanup: (() => Promise<void>)[] = [];

/** Once the producer produces: another instance (this process) serving the run's readers. */
async function readerInstance(child: ChildProcess, prefix: string, name: string) {
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('producing')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the producer exited (${code})`)));
  });
  const broker = redisBroker({ url: REDIS_URL, prefix });
  const hub = createHub<{ message: string }>({ broker });
  const server: NodeSseServer = await serveNodeSse({ heartbeat: false }, (stream) => {
    hub.topics(name).subscribe(stream);
  });
  cleanup.push(async () => {
    await server.close();
    hub.close();
    await broker.close();
  });
  return { hub, server };
}
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe('runs on redisBroker across processes', () => {
  it('fails the run for every reader within its lease when the producer is SIGKILLed; its events stay readable', async () => {
    const prefix = freshPrefix();
    const { child, dir } = startProducer(prefix, 'job:1');
    cleanup.push(() => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    });
    const { hub, server } = await readerInstance(child, prefix, 'job:1');
    const reader = await openRawSse(server.url);
    await reader.waitForEvents(8);
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await reader.ended;
    const failedAfter = Date.now() - killedAt;
    console.info(
      `run producer SIGKILLed: readers got sse-error after ${failedAfter} ms (lease ${LEASE_MS} ms)`,
    );

    const last = reader.events.at(-1)!;
    expect(last.event).toBe('sse-error');
    expect(JSON.parse(last.data)).toEqual({ message: 'the run stopped: its producer is gone' });
    expect(failedAfter).toBeLessThan(LEASE_MS + 5000);
    expect(await hub.runStatus('job:1')).toBe('failed');
    const tokens = reader.events.slice(0, -1).map((event) => event.data);
    expect(tokens.slice(0, 3)).toEqual(['t0', 't1', 't2']);

    // A reader arriving later gets everything produced, and the failure.
    const late = await openRawSse(server.url);
    await late.ended;
    expect(late.events.map((event) => event.data)).toEqual(reader.events.map((e) => e.data));
  });

  it('cancels a run produced by another process: its signal aborts there, readers get its end', async () => {
    const prefix = freshPrefix();
    const { child, dir } = startProducer(prefix, 'job:2');
    cleanup.push(() => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    });
    const { hub, server } = await readerInstance(child, prefix, 'job:2');
    const reader = await openRawSse(server.url);
    await reader.waitForEvents(3);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // A stop button served by this instance; the producer subscribes to cancels when it starts.
    // Once: should it race the producer's subscription, the producer finds it recorded.
    await hub.cancel('job:2');
    await reader.ended;
    expect(reader.events.at(-1)).toMatchObject({
      event: 'sse-end',
      data: '{"reason":"cancelled"}',
    });
    expect(await exited).toBe(0);
    expect(await hub.runStatus('job:2')).toBe('ended');
  });
});
