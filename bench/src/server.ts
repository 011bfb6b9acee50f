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
import { runTopics } from './topics/publisher';
import { findTopicsTarget, type TopicsTarget } from './topics/targets';

const BACKLOG = 4096;
const RUN_TIMEOUT_MS = 120_000;

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
    startedAt: start.t,
  };
}

/**
 * Publishes events `from`..`from+count-1` in bursts of `burst` per macrotask, never more than
 * `window` events ahead of the slowest client (the client acknowledges each completed burst).
 * Stops publishing after `maxMs` (at an acknowledgement boundary), so slow targets keep the run
 * short.
 */
function runFanout(
  target: BenchTarget,
  from: number,
  count: number,
  burst: number,
  window: number,
  maxMs: number,
  ackEvery: number,
): Promise<ServerRunResult> {
  let end = from + count - 1;
  let stopping = false;
  let next = from;
  let acked = from - 1;
  let scheduled = false;
  const start = { cpu: process.cpuUsage(), t: nowMicros() };
  return new Promise((resolve) => {
    const canPublish = () => next <= end && next - 1 - acked < window;
    const pump = () => {
      scheduled = false;
      if (!stopping && next > from && next <= end && nowMicros() - start.t > maxMs * 1000) {
        // Stop at the next acknowledged boundary: the client acknowledges every `ackEvery`.
        stopping = true;
        end = Math.min(end, from - 1 + Math.ceil((next - from) / ackEvery) * ackEvery);
      }
      if (next > end) {
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

/**
 * Publishes `count` events at `perSecond` on a timer schedule, one per macrotask: each timer
 * tick publishes what is due, yielding (`setImmediate`) after every event, as events arriving
 * one by one from the network would. Behind schedule, it publishes one per turn until caught up,
 * and stops at `maxMs` whatever is left.
 */
function runPaced(
  target: BenchTarget,
  from: number,
  count: number,
  perSecond: number,
  maxMs: number,
): Promise<ServerRunResult> {
  const start = { cpu: process.cpuUsage(), t: nowMicros() };
  const end = from + count - 1;
  let next = from;
  return new Promise((resolve) => {
    const step = () => {
      const elapsed = nowMicros() - start.t;
      const due = from + Math.floor((elapsed * perSecond) / 1e6);
      if (next > end || elapsed > maxMs * 1000) {
        // Past the deadline, a target that fell behind publishes no more: the run stays bounded.
        resolve(cpuAndWall(start, next <= end, next - 1));
      } else if (next <= due) {
        target.broadcast(makeEvent(next++));
        setImmediate(step);
      } else {
        setTimeout(step, 1);
      }
    };
    step();
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
      return runFanout(
        target,
        command.from,
        command.count,
        command.burst,
        command.window,
        command.maxMs,
        command.ackEvery,
      );
    case 'ack':
      onAck?.(command.upTo);
      return undefined;
    case 'latency':
      return runLatency(target, command.from, command.count, command.intervalMs);
    case 'paced':
      return runPaced(target, command.from, command.count, command.perSecond, command.maxMs);
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
