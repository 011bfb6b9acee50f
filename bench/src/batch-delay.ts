import type { DeliveryReport, ServerRunResult } from './protocol';
import { connect, startServer, type RunContext } from './run-context';
import type { Runnable } from './workloads';

const WARMUP_SECONDS = 0.25;
/** A target that falls behind the schedule stops publishing at this multiple of its length. */
const DEADLINE = 1.5;

/**
 * `batchDelay`: `batchPerSecond` events a second arriving one per macrotask on a timer
 * schedule, to `batchClients` clients; ours with `createChannel({ batchDelay })`, raw writing
 * each event to each client. Deliveries/s from the first publish to the last read, and
 * publish-to-read latency of every delivery. A target behind schedule stops publishing at 1.5x
 * the schedule's length (fewer events, counted as published, none missing).
 */
export async function batchDelay(ctx: RunContext, target: Runnable): Promise<void> {
  const { batchClients: clients, batchPerSecond: perSecond, batchSeconds } = ctx.options;
  const delay = target.id === 'raw' ? 0 : ctx.options.batchDelay;
  const env: Record<string, string> = delay ? { BENCH_BATCH_DELAY: String(delay) } : {};
  const { server, port } = await startServer(ctx, target.id, env);
  try {
    await connect(ctx, server, port, '/events', clients, clients);
    const warmup = Math.round(perSecond * WARMUP_SECONDS);
    await ctx.client.call({ cmd: 'expect', from: 1, count: warmup, burst: warmup, latency: false });
    const paced = async (from: number, count: number) => {
      const maxMs = (count / perSecond) * 1000 * DEADLINE;
      const run = await server.call<ServerRunResult>({
        cmd: 'paced',
        from,
        count,
        perSecond,
        maxMs,
      });
      await ctx.client.call({ cmd: 'truncate', end: run.lastSeq });
      return run;
    };
    await Promise.all([paced(1, warmup), ctx.client.call({ cmd: 'report' })]);
    const count = Math.round(perSecond * batchSeconds);
    const from = warmup + 1;
    await ctx.client.call({ cmd: 'expect', from, count, burst: count, latency: true });
    const cpuBefore = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
    const [run, delivery] = await Promise.all([
      paced(from, count),
      ctx.client.call<DeliveryReport>({ cmd: 'report' }),
    ]);
    const cpuAfter = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
    const wallSeconds = (delivery.lastAt - run.startedAt) / 1e6;
    const latency = delivery.latency ?? { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
    ctx.record({
      workload: 'batch-delay',
      target: target.id,
      batchDelay: delay,
      clients,
      events: run.lastSeq - from + 1,
      deliveriesPerSec: delivery.delivered / wallSeconds,
      cpuSeconds: (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1e6,
      p50Ms: latency.p50 / 1000,
      p99Ms: latency.p99 / 1000,
      maxMs: latency.max / 1000,
      missing: delivery.missing,
      outOfOrder: delivery.outOfOrder,
      dropped: delivery.dropped,
    });
  } finally {
    await ctx.client.call({ cmd: 'disconnect' });
    await server.stop({ cmd: 'exit' });
  }
}
