/**
 * The server process: runs one target and publishes on the orchestrator's command.
 * Started by main.ts as `node --import tsx --expose-gc server.ts <target-id>`.
 */
import { writeHeapSnapshot } from 'node:v8';
import { makeEvent, nowMicros } from './payload';
import type {
  Envelope,
  MemoryResult,
  ReplyMessage,
  ServerCommand,
  ServerRunResult,
} from './protocol';
import { findTarget } from './targets/registry';
import type { BenchTarget } from './targets/types';

const BACKLOG = 4096;
const RUN_TIMEOUT_MS = 120_000;

let unhandled = 0;
process.on('unhandledRejection', () => {
  // A peer that rejects a write to a client that just left must not end the benchmark.
  unhandled++;
});

let onAck: ((upTo: number) => void) | undefined;

function send(message: unknown): void {
  process.send?.(message);
}

function reply(id: number, value: unknown): void {
  send({ type: 'reply', id, ok: true, value } satisfies ReplyMessage);
}

function cpuAndWall(
  start: { cpu: NodeJS.CpuUsage; t: number },
  timedOut: boolean,
  lastSeq: number,
): ServerRunResult {
  const cpu = process.cpuUsage(start.cpu);
  return {
    wallMs: (nowMicros() - start.t) / 1000,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    timedOut,
    lastSeq,
  };
}

/**
 * Publishes events `from`..`from+count-1` in bursts of `burst` per macrotask, never more than
 * `window` events ahead of the slowest client (the client acknowledges each completed burst).
 * Stops publishing after `maxMs` (at a burst boundary), so slow targets keep the run short.
 */
function runFanout(
  target: BenchTarget,
  from: number,
  count: number,
  burst: number,
  window: number,
  maxMs: number,
): Promise<ServerRunResult> {
  let end = from + count - 1;
  let next = from;
  let acked = from - 1;
  let scheduled = false;
  const start = { cpu: process.cpuUsage(), t: nowMicros() };
  return new Promise((resolve) => {
    const canPublish = () => next <= end && next - 1 - acked < window;
    const pump = () => {
      scheduled = false;
      if (next > from && next <= end && nowMicros() - start.t > maxMs * 1000) {
        end = next - 1;
        if (acked >= end) finish(false);
        return;
      }
      if (!canPublish()) return;
      const stop = Math.min(end, next + burst - 1);
      for (; next <= stop; next++) target.broadcast(makeEvent(next));
      schedule();
    };
    const schedule = () => {
      if (scheduled || !canPublish()) return;
      scheduled = true;
      setImmediate(pump);
    };
    const finish = (timedOut: boolean) => {
      clearTimeout(timer);
      onAck = undefined;
      resolve(cpuAndWall(start, timedOut, end));
    };
    const timer = setTimeout(() => finish(true), RUN_TIMEOUT_MS);
    onAck = (upTo) => {
      if (upTo > acked) acked = upTo;
      if (acked >= end) finish(false);
      else schedule();
    };
    schedule();
  });
}

/** Publishes `count` events, one every `intervalMs`. */
function runLatency(
  target: BenchTarget,
  from: number,
  count: number,
  intervalMs: number,
): Promise<ServerRunResult> {
  const start = { cpu: process.cpuUsage(), t: nowMicros() };
  let next = from;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      target.broadcast(makeEvent(next++));
      if (next >= from + count) {
        clearInterval(timer);
        resolve(cpuAndWall(start, false, next - 1));
      }
    }, intervalMs);
  });
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

async function handle(target: BenchTarget, command: ServerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'subscribers':
      return target.subscribers();
    case 'fanout':
      return runFanout(
        target,
        command.from,
        command.count,
        command.burst,
        command.window,
        command.maxMs,
      );
    case 'ack':
      onAck?.(command.upTo);
      return undefined;
    case 'latency':
      return runLatency(target, command.from, command.count, command.intervalMs);
    case 'memory':
      return memory();
    case 'exit':
      await target.close().catch(() => undefined);
      setImmediate(() => process.exit(0));
      return { unhandled };
  }
}

async function main(): Promise<void> {
  const id = process.argv[2] ?? '';
  const info = findTarget(id);
  let target: BenchTarget;
  let port: number;
  try {
    if (!info) throw new Error(`unknown target ${id}`);
    target = await info.load();
    port = await target.listen(BACKLOG);
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
    handle(target, message).then(
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
