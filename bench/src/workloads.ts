import type { DeliveryReport, MemoryResult, ServerRunResult, SingleReport } from './protocol';
import {
  connect,
  sleep,
  startServer,
  waitForSubscribers,
  type RunContext,
  type Server,
} from './run-context';

/** A workload's target: only its id matters to the runners. */
export interface Runnable {
  id: string;
}

/** Runs events `from`..`from+count-1` through the fan-out with flow control. */
async function fanoutRun(
  ctx: RunContext,
  server: Server,
  from: number,
  count: number,
  maxMs: number,
  burst: number,
) {
  const { window } = ctx.options;
  // One event per turn: the client still acknowledges every 10 (IPC per event would cost more
  // than the run).
  const ackEvery = Math.max(burst, 10);
  await ctx.client.call({ cmd: 'expect', from, count, burst: ackEvery, latency: false });
  ctx.client.onAck((upTo) => server.post({ cmd: 'ack', upTo }));
  const run = await server.call<ServerRunResult>({
    cmd: 'fanout',
    from,
    count,
    burst,
    window,
    maxMs,
    ackEvery,
  });
  ctx.client.onAck(undefined);
  await ctx.client.call({ cmd: 'truncate', end: run.lastSeq });
  const delivery = await ctx.client.call<DeliveryReport>({ cmd: 'report' });
  return { run, delivery, events: run.lastSeq - from + 1 };
}

/** Fan-out in bursts of `--burst` events per macrotask (the secondary workload). */
export function fanout(ctx: RunContext, target: Runnable): Promise<void> {
  return fanoutWith(ctx, target, 'fanout', ctx.options.fanoutClients, ctx.options.burst);
}

/** Fan-out with one event per macrotask: the publisher yields after every event. */
export function perTurn(ctx: RunContext, target: Runnable): Promise<void> {
  return fanoutWith(ctx, target, 'per-turn', ctx.options.perTurnClients, 1);
}

/** Fan-out: one server per target and repetition, clients added up to each size in turn. */
async function fanoutWith(
  ctx: RunContext,
  target: Runnable,
  workload: 'fanout' | 'per-turn',
  clientCounts: readonly number[],
  burst: number,
): Promise<void> {
  const { options } = ctx;
  const sizes = [...clientCounts].sort((a, b) => a - b);
  const { server, port } = await startServer(ctx, target.id);
  try {
    let connected = 0;
    let seq = 1;
    for (const clients of sizes) {
      await connect(ctx, server, port, '/events', clients - connected, clients);
      connected = clients;
      const events = Math.max(
        burst,
        Math.round(options.fanoutDeliveries / clients / burst) * burst,
      );
      // Long enough for the JIT to settle on every path, even when the run starts at 1000.
      const warmup = Math.max(burst, Math.round(events / 2 / burst) * burst);
      const maxMs = options.fanoutMaxMs;
      seq += (await fanoutRun(ctx, server, seq, warmup, maxMs / 2, burst)).events;
      const measured = await fanoutRun(ctx, server, seq, events, maxMs, burst);
      const { run, delivery, events: published } = measured;
      seq += published;
      ctx.record({
        workload,
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
export async function memory(ctx: RunContext, target: Runnable): Promise<void> {
  const clients = ctx.options.memoryClients;
  const { server, port } = await startServer(ctx, target.id);
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
export async function latency(ctx: RunContext, target: Runnable): Promise<void> {
  const {
    latencyClients: clients,
    latencyEvents: events,
    latencyIntervalMs: intervalMs,
  } = ctx.options;
  const { server, port } = await startServer(ctx, target.id);
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
export function single(ctx: RunContext, target: Runnable): Promise<void> {
  return singleWith(ctx, target, 'single', '/single', ctx.options.singleEvents, '');
}

/** Single stream, one event per macrotask (the writer yields after each). */
export function perTurnSingle(ctx: RunContext, target: Runnable): Promise<void> {
  return singleWith(
    ctx,
    target,
    'per-turn-single',
    '/single',
    ctx.options.perTurnSingleEvents,
    '&turn=1',
  );
}

/** One client, events published back to back through a channel, each `publish` awaited. */
export function channelSingle(ctx: RunContext, target: Runnable): Promise<void> {
  return singleWith(ctx, target, 'channel-single', '/channel-single', ctx.options.singleEvents, '');
}

async function singleWith(
  ctx: RunContext,
  target: Runnable,
  workload: 'single' | 'per-turn-single' | 'channel-single',
  route: string,
  events: number,
  query: string,
): Promise<void> {
  const { server, port } = await startServer(ctx, target.id);
  const call = (count: number) =>
    ctx.client.call<SingleReport>({
      cmd: 'single',
      port,
      path: `${route}?n=${count}${query}`,
      count,
    });
  try {
    // The first measured run still costs 10-40% more server CPU per event than the next two,
    // after this warm-up as after one five times as long: the report's lowest run skips it.
    await call(Math.round(events / 5));
    // A run lasts a fraction of a second: three per repetition, each a sample of the median.
    for (let run = 0; run < SINGLE_RUNS_PER_REP; run++) {
      // Read around the run: the server does nothing else meanwhile but answer these two.
      const before = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
      const report = await call(events);
      const after = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
      const cpuUs = after.user - before.user + (after.system - before.system);
      ctx.record({
        workload,
        target: target.id,
        events,
        eventsPerSec: report.events / (report.ms / 1000),
        cpuUsPerEvent: cpuUs / Math.max(1, report.events),
        missing: report.missing,
        outOfOrder: report.outOfOrder,
      });
    }
  } finally {
    await server.stop({ cmd: 'exit' });
  }
}
