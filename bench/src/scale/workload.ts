import { BenchChild } from '../child';
import type { BenchOptions } from '../options';
import type { ClientCommand, ConnectReport, DeliveryReport, MemoryResult } from '../protocol';
import type { Client, RunContext, Server } from '../run-context';
import { connect, sleep, startServer, waitForSubscribers } from '../run-context';
import type { Sample, ScaleHeartbeat } from '../samples';
import { findTarget, type TargetInfo } from '../targets/registry';
import { checkRedis } from '../redis-check';
import { pairedConnectRates } from './paired-connect';
import { socketSlabBytes } from './slab';

/** Connections per source address: each address's port search slows sharply as it fills. */
const PER_ADDRESS = 5000;
/** Events timed to every client, one a second. */
const REACH_EVENTS = 5;

/** raw, core and one adapter (express), unless `--targets` names others; the hub with 2 workers. */
export function scaleTargets(options: BenchOptions): TargetInfo[] {
  if (options.scaleWorkers > 1) return [findTarget('hub-redis')!];
  if (options.targetsGiven) return options.targets.filter((t) => !t.fanOutOnly);
  return ['raw', 'core', 'express'].map((id) => findTarget(id)!);
}

type ScaleSample = Extract<Sample, { workload: 'scale' }>;

interface Worker {
  server: Server;
  port: number;
  client: Client;
}

/**
 * Connections at scale: one server process (or two workers on one Redis) holding
 * `scaleConnections` idle SSE connections each. Memory and kernel slab per connection,
 * connect rate and the time for one event to reach every client with the longest heartbeat
 * interval; then the CPU per heartbeat at each interval, one server per interval; then, for
 * a target other than raw on one worker, its connect rate paired with raw's (paired-connect.ts).
 */
export async function scale(ctx: RunContext, target: { id: string }): Promise<void> {
  const { scaleConnections: n, scaleWorkers: workers, scaleHeartbeats } = ctx.options;
  const heartbeats: ScaleHeartbeat[] = [];
  const extraClients: Client[] = [];
  if (workers > 1) await checkRedis();
  try {
    for (let w = 1; w < workers; w++) {
      const client = new BenchChild<ClientCommand>('client.ts', []);
      await client.ready;
      extraClients.push(client);
    }
    const clients = [ctx.client, ...extraClients];
    const env = { BENCH_REDIS_PREFIX: `sse-bench-${Date.now().toString(36)}:` };
    let measured: Omit<ScaleSample, 'heartbeats' | 'pairedConnect'> | undefined;
    // The longest interval (the 15 s default) first: memory, connect rate and reach are
    // measured with it, as a server would run.
    for (const intervalMs of [...scaleHeartbeats].sort((a, b) => b - a)) {
      const pool: Worker[] = [];
      try {
        for (const client of clients) {
          const started = await startServer(ctx, target.id, {
            ...env,
            BENCH_HEARTBEAT_MS: String(intervalMs),
          });
          pool.push({ ...started, client });
        }
        if (!measured) measured = await measureOnce(ctx, target.id, pool, n);
        else await connectAll(pool, n);
        heartbeats.push({ intervalMs, cpuUsPerBeat: await heartbeatCpu(pool, n, intervalMs) });
      } finally {
        await Promise.all(clients.map((c) => c.call({ cmd: 'disconnect' })));
        await Promise.all(pool.map((w) => w.server.stop({ cmd: 'exit' })));
      }
    }
    if (!measured) return;
    const pairedConnect =
      workers === 1 && target.id !== 'raw'
        ? await pairedConnectRates(ctx, target.id, n, PER_ADDRESS, {
            BENCH_HEARTBEAT_MS: String(Math.max(...scaleHeartbeats)),
          })
        : undefined;
    ctx.record({ ...measured, heartbeats, pairedConnect });
  } finally {
    await Promise.all(extraClients.map((client) => client.stop({ cmd: 'exit' })));
  }
}

/** Connects `n` clients to each worker, one worker after the other, each on its own addresses. */
async function connectAll(pool: Worker[], n: number): Promise<ConnectReport[]> {
  const reports: ConnectReport[] = [];
  for (const [index, w] of pool.entries()) {
    const report = await w.client.call<ConnectReport>({
      cmd: 'connect',
      port: w.port,
      path: '/events',
      count: n,
      perAddress: PER_ADDRESS,
      addressBase: index * Math.ceil(n / PER_ADDRESS) * PER_ADDRESS,
    });
    if (report.failed > 0) throw new Error(`${report.failed} of ${n} connections failed`);
    await waitForSubscribers(w.server, n);
    reports.push(report);
  }
  return reports;
}

async function measureOnce(
  ctx: RunContext,
  id: string,
  pool: Worker[],
  n: number,
): Promise<Omit<ScaleSample, 'heartbeats' | 'pairedConnect'>> {
  // Warm the code paths (and their lazily built objects) before the baselines.
  for (const w of pool) {
    await connect(ctx, w.server, w.port, '/events', 20, 20, undefined, w.client);
    await w.client.call({ cmd: 'disconnect' });
    await waitForSubscribers(w.server, 0);
  }
  await sleep(200);
  const slabBefore = socketSlabBytes();
  const before = await Promise.all(pool.map((w) => w.server.call<MemoryResult>({ cmd: 'memory' })));
  const reports = await connectAll(pool, n);
  await sleep(500);
  const after = await Promise.all(pool.map((w) => w.server.call<MemoryResult>({ cmd: 'memory' })));
  const slabAfter = socketSlabBytes();
  const total = n * pool.length;
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const reach = await timeToReachAll(pool);
  return {
    workload: 'scale',
    target: id,
    workers: pool.length,
    connections: total,
    rssPerConn: sum(after.map((a, i) => a.rss - before[i]!.rss)) / total,
    heapPerConn: sum(after.map((a, i) => a.heapUsed - before[i]!.heapUsed)) / total,
    slabPerConn: (slabAfter - slabBefore) / total,
    connectsPerSec: total / (sum(reports.map((r) => r.ms)) / 1000),
    reachP50Ms: reach.p50 / 1000,
    reachP99Ms: reach.p99 / 1000,
    reachMaxMs: reach.max / 1000,
    missing: reach.missing,
  };
}

/** `REACH_EVENTS` events one second apart, published on the first worker, to every client. */
async function timeToReachAll(pool: Worker[]) {
  await Promise.all(
    pool.map((w) =>
      w.client.call({ cmd: 'expect', from: 1, count: REACH_EVENTS, burst: 1, latency: true }),
    ),
  );
  const [, ...deliveries] = await Promise.all([
    pool[0]!.server.call({ cmd: 'latency', from: 1, count: REACH_EVENTS, intervalMs: 1000 }),
    ...pool.map((w) => w.client.call<DeliveryReport>({ cmd: 'report' })),
  ]);
  // With two workers, the slower worker's clients bound every percentile (a fair upper bound).
  const pick = (key: 'p50' | 'p99' | 'max') =>
    Math.max(...deliveries.map((d) => d.latency?.[key] ?? Number.NaN));
  return {
    p50: pick('p50'),
    p99: pick('p99'),
    max: pick('max'),
    missing: deliveries.reduce((sum, d) => sum + d.missing + d.dropped, 0),
  };
}

/** Server CPU per heartbeat: idle connections for a few intervals, CPU over beats sent. */
async function heartbeatCpu(pool: Worker[], n: number, intervalMs: number): Promise<number> {
  const windowMs = intervalMs * (intervalMs >= 10_000 ? 2 : 5);
  const cpu = () => Promise.all(pool.map((w) => w.server.call<NodeJS.CpuUsage>({ cmd: 'cpu' })));
  const before = await cpu();
  await sleep(windowMs);
  const after = await cpu();
  const micros = after.reduce(
    (sum, a, i) => sum + a.user - before[i]!.user + a.system - before[i]!.system,
    0,
  );
  const beats = (n * pool.length * windowMs) / intervalMs;
  return micros / beats;
}
