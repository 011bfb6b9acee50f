import { mkdirSync } from 'node:fs';
import { BenchChild } from './child';
import type { BenchOptions } from './options';
import type {
  ClientCommand,
  ConnectReport,
  DeliveryReport,
  MemoryResult,
  ServerCommand,
  ServerRunResult,
  SingleReport,
} from './protocol';
import type { TargetInfo } from './targets/registry';

/** One measurement of one target. */
export type Sample =
  | {
      workload: 'fanout';
      target: string;
      clients: number;
      events: number;
      deliveriesPerSec: number;
      cpuSeconds: number;
      wallSeconds: number;
      missing: number;
      outOfOrder: number;
      dropped: number;
    }
  | { workload: 'memory'; target: string; clients: number; rssPerConn: number; heapPerConn: number }
  | {
      workload: 'latency';
      target: string;
      clients: number;
      p50Ms: number;
      p99Ms: number;
      maxMs: number;
      missing: number;
      outOfOrder: number;
    }
  | {
      workload: 'single';
      target: string;
      events: number;
      eventsPerSec: number;
      missing: number;
      outOfOrder: number;
    };

/** A target that could not run (failed to load or crashed). */
export interface Failure {
  workload: string;
  target: string;
  error: string;
}

type Server = BenchChild<ServerCommand>;
type Client = BenchChild<ClientCommand>;

export interface RunContext {
  options: BenchOptions;
  client: Client;
  profileDir: string;
  record(sample: Sample): void;
  fail(failure: Failure): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startServer(
  ctx: RunContext,
  target: TargetInfo,
): Promise<{ server: Server; port: number }> {
  const flags = ['--expose-gc'];
  if (ctx.options.profile) {
    // One directory per server: tsx's loader thread writes a profile of its own beside it.
    const dir = `${ctx.profileDir}/${target.id}-${Date.now()}`;
    mkdirSync(dir, { recursive: true });
    flags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const server = new BenchChild<ServerCommand>('server.ts', [target.id], flags);
  try {
    return { server, port: await server.ready };
  } catch (error) {
    await server.stop({ cmd: 'exit' });
    throw error;
  }
}

async function waitForSubscribers(server: Server, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await server.call<number>({ cmd: 'subscribers' });
    if (now === count) return;
    if (Date.now() > deadline) throw new Error(`expected ${count} subscribers, server has ${now}`);
    await sleep(20);
  }
}

async function connect(
  ctx: RunContext,
  server: Server,
  port: number,
  path: string,
  count: number,
  total: number,
) {
  const report = await ctx.client.call<ConnectReport>({ cmd: 'connect', port, path, count });
  if (report.failed > 0) throw new Error(`${report.failed} of ${count} connections failed`);
  await waitForSubscribers(server, total);
}

/** Runs events `from`..`from+count-1` through the fan-out with flow control. */
async function fanoutRun(
  ctx: RunContext,
  server: Server,
  from: number,
  count: number,
  maxMs: number,
) {
  const { burst, window } = ctx.options;
  await ctx.client.call({ cmd: 'expect', from, count, burst, latency: false });
  ctx.client.onAck((upTo) => server.post({ cmd: 'ack', upTo }));
  const run = await server.call<ServerRunResult>({
    cmd: 'fanout',
    from,
    count,
    burst,
    window,
    maxMs,
  });
  ctx.client.onAck(undefined);
  await ctx.client.call({ cmd: 'truncate', end: run.lastSeq });
  const delivery = await ctx.client.call<DeliveryReport>({ cmd: 'report' });
  return { run, delivery, events: run.lastSeq - from + 1 };
}

/** Fan-out: one server per target and repetition, clients added up to each size in turn. */
export async function fanout(ctx: RunContext, target: TargetInfo): Promise<void> {
  const { options } = ctx;
  const sizes = [...options.fanoutClients].sort((a, b) => a - b);
  const { server, port } = await startServer(ctx, target);
  try {
    let connected = 0;
    let seq = 1;
    for (const clients of sizes) {
      await connect(ctx, server, port, '/events', clients - connected, clients);
      connected = clients;
      const events = Math.max(
        options.burst,
        Math.round(options.fanoutDeliveries / clients / options.burst) * options.burst,
      );
      // Long enough for the JIT to settle on every path, even when the run starts at 1000.
      const warmup = Math.max(
        options.burst,
        Math.round(events / 2 / options.burst) * options.burst,
      );
      const maxMs = options.fanoutMaxMs;
      seq += (await fanoutRun(ctx, server, seq, warmup, maxMs / 2)).events;
      const { run, delivery, events: published } = await fanoutRun(ctx, server, seq, events, maxMs);
      seq += published;
      ctx.record({
        workload: 'fanout',
        target: target.id,
        clients,
        events: published,
        deliveriesPerSec: delivery.delivered / (run.wallMs / 1000),
        cpuSeconds: (run.cpuUserMs + run.cpuSystemMs) / 1000,
        wallSeconds: run.wallMs / 1000,
        missing: delivery.missing + (run.timedOut ? 1 : 0),
        outOfOrder: delivery.outOfOrder,
        dropped: delivery.dropped,
      });
    }
  } finally {
    await ctx.client.call({ cmd: 'disconnect' });
    await server.stop({ cmd: 'exit' });
  }
}

/** Memory per idle connection: server heap and RSS after GC, before and after the clients. */
export async function memory(ctx: RunContext, target: TargetInfo): Promise<void> {
  const clients = ctx.options.memoryClients;
  const { server, port } = await startServer(ctx, target);
  try {
    // Warm the code paths (and their lazily built objects) before the baseline.
    await connect(ctx, server, port, '/events', 20, 20);
    await ctx.client.call({ cmd: 'disconnect' });
    await waitForSubscribers(server, 0);
    const before = await server.call<MemoryResult>({ cmd: 'memory' });
    await connect(ctx, server, port, '/events', clients, clients);
    await sleep(200);
    const after = await server.call<MemoryResult>({ cmd: 'memory' });
    ctx.record({
      workload: 'memory',
      target: target.id,
      clients,
      rssPerConn: (after.rss - before.rss) / clients,
      heapPerConn: (after.heapUsed - before.heapUsed) / clients,
    });
  } finally {
    await ctx.client.call({ cmd: 'disconnect' });
    await server.stop({ cmd: 'exit' });
  }
}

/** Latency: one event every `latencyIntervalMs` to every client, stamped with its send time. */
export async function latency(ctx: RunContext, target: TargetInfo): Promise<void> {
  const {
    latencyClients: clients,
    latencyEvents: events,
    latencyIntervalMs: intervalMs,
  } = ctx.options;
  const { server, port } = await startServer(ctx, target);
  try {
    await connect(ctx, server, port, '/events', clients, clients);
    const warmup = Math.max(10, events / 10);
    await ctx.client.call({ cmd: 'expect', from: 1, count: warmup, burst: 1, latency: false });
    await Promise.all([
      server.call({ cmd: 'latency', from: 1, count: warmup, intervalMs }),
      ctx.client.call({ cmd: 'report' }),
    ]);
    await ctx.client.call({
      cmd: 'expect',
      from: warmup + 1,
      count: events,
      burst: 1,
      latency: true,
    });
    const [, delivery] = await Promise.all([
      server.call<ServerRunResult>({ cmd: 'latency', from: warmup + 1, count: events, intervalMs }),
      ctx.client.call<DeliveryReport>({ cmd: 'report' }),
    ]);
    const latencies = delivery.latency ?? { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
    ctx.record({
      workload: 'latency',
      target: target.id,
      clients,
      p50Ms: latencies.p50 / 1000,
      p99Ms: latencies.p99 / 1000,
      maxMs: latencies.max / 1000,
      missing: delivery.missing,
      outOfOrder: delivery.outOfOrder,
    });
  } finally {
    await ctx.client.call({ cmd: 'disconnect' });
    await server.stop({ cmd: 'exit' });
  }
}

const SINGLE_RUNS_PER_REP = 3;

/** Single stream: `singleEvents` events to one client, each write awaiting backpressure. */
export async function single(ctx: RunContext, target: TargetInfo): Promise<void> {
  const events = ctx.options.singleEvents;
  const { server, port } = await startServer(ctx, target);
  try {
    await ctx.client.call<SingleReport>({ cmd: 'single', port, count: Math.round(events / 5) });
    // A run lasts a fraction of a second: three per repetition, each a sample of the median.
    for (let run = 0; run < SINGLE_RUNS_PER_REP; run++) {
      const report = await ctx.client.call<SingleReport>({ cmd: 'single', port, count: events });
      ctx.record({
        workload: 'single',
        target: target.id,
        events,
        eventsPerSec: report.events / (report.ms / 1000),
        missing: report.missing,
        outOfOrder: report.outOfOrder,
      });
    }
  } finally {
    await server.stop({ cmd: 'exit' });
  }
}
