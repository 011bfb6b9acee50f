/**
 * The server process: runs one target and publishes on the orchestrator's command.
 * Started by main.ts as `node --import tsx --expose-gc server.ts <target-id>`.
 */
import { writeHeapSnapshot } from 'node:v8';
import { runFanout, runLatency, runPaced } from './publishers';
import type { Envelope, MemoryResult, ReplyMessage, ServerCommand } from './protocol';
import { findTarget } from './targets/registry';
import type { BenchTarget } from './targets/types';
import { runTopics } from './topics/publisher';
import { findTopicsTarget, type TopicsTarget } from './topics/targets';
import { profileWindow } from './window-profile';

const BACKLOG = 4096;

let unhandled = 0;
process.on('unhandledRejection', () => {
  // A peer that rejects a write to a client that just left must not end the benchmark.
  unhandled++;
});

let onAck: ((upTo: number) => void) | undefined;
const setOnAck = (listener: ((upTo: number) => void) | undefined) => (onAck = listener);

function send(message: unknown): void {
  process.send?.(message);
}

function reply(id: number, value: unknown): void {
  send({ type: 'reply', id, ok: true, value } satisfies ReplyMessage);
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the server with --expose-gc');
  gc();
  gc();
}

function memory(): MemoryResult {
  collectGarbage();
  const usage = process.memoryUsage();
  if (process.env.BENCH_HEAP_SNAPSHOT)
    writeHeapSnapshot(
      `${process.env.BENCH_HEAP_SNAPSHOT}/${process.argv[2]}-${Date.now()}.heapsnapshot`,
    );
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
  };
}

async function handle(
  target: BenchTarget | undefined,
  topics: TopicsTarget | undefined,
  command: ServerCommand,
): Promise<unknown> {
  if (command.cmd === 'topics-run') {
    if (!topics) throw new Error('not a topics target');
    return runTopics(topics, command, setOnAck);
  }
  if (command.cmd === 'subscribers') return (target ?? topics)?.subscribers();
  if (command.cmd === 'memory') return memory();
  if (command.cmd === 'cpu') return process.cpuUsage();
  if (command.cmd === 'exit') {
    await (target ?? topics)?.close().catch(() => undefined);
    setImmediate(() => process.exit(0));
    return { unhandled };
  }
  if (!target) throw new Error(`${command.cmd} needs a fan-out target`);
  switch (command.cmd) {
    case 'fanout':
      return profileWindow(() =>
        runFanout(
          target,
          command.from,
          command.count,
          command.burst,
          command.window,
          command.maxMs,
          command.ackEvery,
          setOnAck,
        ),
      );
    case 'ack':
      onAck?.(command.upTo);
      return undefined;
    case 'latency':
      return runLatency(target, command.from, command.count, command.intervalMs);
    case 'paced':
      return runPaced(
        target,
        command.from,
        command.count,
        command.perSecond,
        command.maxMs,
        command.stampDue ?? false,
      );
  }
}

async function main(): Promise<void> {
  const id = process.argv[2] ?? '';
  let target: BenchTarget | undefined;
  let topics: TopicsTarget | undefined;
  let port: number;
  try {
    const info = findTarget(id);
    const topicsInfo = findTopicsTarget(id);
    if (info) target = await info.load();
    else if (topicsInfo) topics = await topicsInfo.load();
    else throw new Error(`unknown target ${id}`);
    port = await (target ?? topics)!.listen(BACKLOG);
  } catch (error) {
    send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
    setImmediate(() => process.exit(1));
    return;
  }
  process.on('message', (message: Envelope<ServerCommand>) => {
    // Acks are fire-and-forget: answering each would double the IPC traffic.
    if (message.cmd === 'ack') {
      onAck?.(message.upTo);
      return;
    }
    handle(target, topics, message).then(
      (value) => reply(message.id, value),
      (error: unknown) =>
        send({
          type: 'reply',
          id: message.id,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        } satisfies ReplyMessage),
    );
  });
  send({ type: 'ready', port });
}

void main();
