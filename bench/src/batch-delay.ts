import type { DeliveryReport, ServerRunResult } from './protocol';
import { connect, startServer, type RunContext } from './run-context';
import type { Runnable } from './workloads';

const WARMUP_SECONDS = 0.25;
/**
 * One connection in this many parses every frame (order, gaps, latency); the others count body
 * bytes. At 10,000 events/s to 1,000 clients no single process parses every delivery.
 */
const SAMPLE_EVERY = 20;

/** `core@0`: our core binding with no batch window, beside `core` with `--batch-delay`. */
export const UNBATCHED_SUFFIX = '@0';

/** Raw, our core binding without a window, then every one of ours with the window. */
export function batchDelayTargets(selected: readonly { id: string; ours?: boolean }[]): Runnable[] {
  const runs: Runnable[] = [];
  if (selected.some((t) => t.id === 'raw')) runs.push({ id: 'raw' });
  if (selected.some((t) => t.id === 'core')) runs.push({ id: `core${UNBATCHED_SUFFIX}` });
  for (const t of selected) if (t.ours) runs.push({ id: t.id });
  return runs;
}

/**
 * `batchDelay`: `batchPerSecond` events a second arriving one per macrotask on a timer
 * schedule, to `batchClients` clients, for `batchSeconds` (the run is bounded by the schedule:
 * what a target has not sent when it ends is offered but not sent). Ours with
 * `createChannel({ batchDelay })` (`core@0`: without), raw writing each event to each client.
 * Deliveries/s counted by the client, from the first publish to the last read; publish-to-read
 * latency of every delivery to the sampled connections.
 */
export async function batchDelay(ctx: RunContext, target: Runnable): Promise<void> {
  const { batchClients: clients, batchPerSecond: perSecond, batchSeconds } = ctx.options;
  const unbatched = target.id.endsWith(UNBATCHED_SUFFIX);
  const id = unbatched ? target.id.slice(0, -UNBATCHED_SUFFIX.length) : target.id;
  const delay = id === 'raw' || unbatched ? 0 : ctx.options.batchDelay;
  const env: Record<string, string> = delay ? { BENCH_BATCH_DELAY: String(delay) } : {};
  const { server, port } = await startServer(ctx, id, env);
  try {
    await connect(ctx, server, port, '/events', clients, clients);
    const paced = async (from: number, count: number, latency: boolean) => {
      await ctx.client.call({
        cmd: 'expect',
        from,
        count,
        burst: count,
        latency,
        sampleEvery: SAMPLE_EVERY,
      });
      const cpuBefore = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
      const maxMs = (count / perSecond) * 1000;
      const run = await server.call<ServerRunResult>({
        cmd: 'paced',
        from,
        count,
        perSecond,
        maxMs,
      });
      await ctx.client.call({ cmd: 'truncate', end: run.lastSeq });
      const delivery = await ctx.client.call<DeliveryReport>({ cmd: 'report' });
      const cpuAfter = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
      const cpu = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1e6;
      return { run, delivery, cpu };
    };
    const warmup = Math.round(perSecond * WARMUP_SECONDS);
    await paced(1, warmup, false);
    const count = Math.round(perSecond * batchSeconds);
    const from = warmup + 1;
    const { run, delivery, cpu } = await paced(from, count, true);
    const wallSeconds = (delivery.lastAt - run.startedAt) / 1e6;
    const latency = delivery.latency ?? { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
    const sent = run.lastSeq - from + 1;
    ctx.record({
      workload: 'batch-delay',
      target: target.id,
      batchDelay: delay,
      clients,
      offered: count,
      events: sent,
      sentPerSec: sent / (run.wallMs / 1000),
      deliveriesPerSec: delivery.delivered / wallSeconds,
      cpuSeconds: cpu,
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
