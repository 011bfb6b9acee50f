import type { DeliveryReport, ServerRunResult } from './protocol';
import { connect, startServer, type RunContext } from './run-context';
import type { BatchLatencyPhase, Sample } from './samples';
import type { Runnable } from './workloads';

const WARMUP_SECONDS = 0.25;
/**
 * One connection in this many parses every frame (order, gaps, latency); the others count body
 * bytes. At 10,000 events/s to 1,000 clients no single process parses every delivery.
 */
const SAMPLE_EVERY = 20;
/** At the latency phase's rate the client parses every delivery: latency to every client. */
const LATENCY_SAMPLE_EVERY = 1;

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
 * `batchDelay`: `batchClients` clients, events arriving one per macrotask on a timer schedule,
 * in two phases per target. Latency: `batchLatencyPerSecond` (a rate raw keeps up with) for
 * `batchLatencySeconds`, each event stamped with when it was due, so publish-to-read latency
 * includes any lag of a publisher behind schedule. Throughput: `batchPerSecond` for
 * `batchSeconds`, bounded by the schedule (what a target has not sent when it ends is offered
 * but not sent), deliveries/s counted by the client from the first publish to the last read.
 * Ours with `createChannel({ batchDelay })` (`core@0`: without), raw writing each event to each
 * client. Latency over every delivery to the sampled (parsing) connections.
 */
export async function batchDelay(ctx: RunContext, target: Runnable): Promise<void> {
  const { batchClients: clients, batchPerSecond: perSecond, batchSeconds } = ctx.options;
  const latencyPerSecond = ctx.options.batchLatencyPerSecond;
  const unbatched = target.id.endsWith(UNBATCHED_SUFFIX);
  const id = unbatched ? target.id.slice(0, -UNBATCHED_SUFFIX.length) : target.id;
  const delay = id === 'raw' || unbatched ? 0 : ctx.options.batchDelay;
  const env: Record<string, string> = delay ? { BENCH_BATCH_DELAY: String(delay) } : {};
  const { server, port } = await startServer(ctx, id, env);
  try {
    await connect(ctx, server, port, '/events', clients, clients);
    /** `latency`: the latency phase (events stamped when due, every connection parsing). */
    const paced = async (
      from: number,
      count: number,
      rate: number,
      measure: boolean,
      latency: boolean,
    ) => {
      await ctx.client.call({
        cmd: 'expect',
        from,
        count,
        burst: count,
        latency: measure,
        sampleEvery: latency ? LATENCY_SAMPLE_EVERY : SAMPLE_EVERY,
      });
      const cpuBefore = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
      const run = await server.call<ServerRunResult>({
        cmd: 'paced',
        from,
        count,
        perSecond: rate,
        maxMs: (count / rate) * 1000,
        stampDue: latency,
      });
      await ctx.client.call({ cmd: 'truncate', end: run.lastSeq });
      const delivery = await ctx.client.call<DeliveryReport>({ cmd: 'report' });
      const cpuAfter = await server.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
      const cpu = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1e6;
      return { run, delivery, cpu };
    };
    // Latency first, on a server that has not yet been through a saturated phase.
    let seq = 1;
    const phase = async (rate: number, seconds: number, latency: boolean) => {
      const warmup = Math.round(rate * WARMUP_SECONDS);
      await paced(seq, warmup, rate, false, latency);
      const from = seq + warmup;
      const count = Math.round(rate * seconds);
      seq = from + count;
      return { from, count, ...(await paced(from, count, rate, true, latency)) };
    };
    const slow = await phase(latencyPerSecond, ctx.options.batchLatencySeconds, true);
    const latencyPhase = latencyOf(slow, latencyPerSecond);
    const { run, delivery, cpu, from, count } = await phase(perSecond, batchSeconds, false);
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
      latencyPhase,
    });
  } finally {
    await ctx.client.call({ cmd: 'disconnect' });
    await server.stop({ cmd: 'exit' });
  }
}

function latencyOf(
  phase: {
    run: ServerRunResult;
    delivery: DeliveryReport;
    cpu: number;
    from: number;
    count: number;
  },
  perSecond: number,
): BatchLatencyPhase {
  const { run, delivery } = phase;
  const latency = delivery.latency;
  const events = run.lastSeq - phase.from + 1;
  return {
    perSecond,
    offered: phase.count,
    events,
    maxLagMs: run.maxLagMs ?? Number.NaN,
    cpuMsPerEvent: (phase.cpu * 1000) / Math.max(1, events),
    latencySamples: latency?.samples ?? 0,
    p50Ms: (latency?.p50 ?? Number.NaN) / 1000,
    p99Ms: (latency?.p99 ?? Number.NaN) / 1000,
    maxMs: (latency?.max ?? Number.NaN) / 1000,
    missing: delivery.missing,
    outOfOrder: delivery.outOfOrder,
    dropped: delivery.dropped,
  };
}

/** One repetition's progress line. */
export function describeBatch(sample: Extract<Sample, { workload: 'batch-delay' }>): string {
  const deliveries = Math.round(sample.deliveriesPerSec).toLocaleString('en-US');
  const head = `${sample.events}/${sample.offered} events sent, ${deliveries} deliveries/s`;
  const slow = sample.latencyPhase;
  if (!slow) return head;
  return `${head}; at ${slow.perSecond}/s: ${slow.events}/${slow.offered} sent, lag ${slow.maxLagMs.toFixed(1)} ms, p50 ${slow.p50Ms.toFixed(1)} ms, p99 ${slow.p99Ms.toFixed(1)} ms`;
}
