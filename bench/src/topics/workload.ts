import type { RunContext, Server } from '../run-context';
import { sleep, startServer, waitForSubscribers } from '../run-context';
import type { TopicsDeliveryReport, TopicsLayout, TopicsRunResult } from './protocol';
import { serverOfClient } from './protocol';
import { checkRedis } from '../redis-check';
import { findTopicsTarget } from './targets';

/** Deliveries the publishers may run ahead of what the client has read. */
const WINDOW = 20_000;
/** After every stream is subscribed: time for subscriptions to settle on Redis. */
const SETTLE_MS = 500;

/**
 * Topics: `topicsClients` clients, each on its user topic and one of `topicsRooms` rooms;
 * publishers publish one event per macrotask to random user and room topics. One server
 * (in-process) or two on one Redis, each publishing half of the topics.
 */
export async function topics(ctx: RunContext, target: { id: string }): Promise<void> {
  const info = findTopicsTarget(target.id);
  if (!info) throw new Error(`unknown topics target ${target.id}`);
  const layout: TopicsLayout = {
    users: ctx.options.topicsClients,
    rooms: ctx.options.topicsRooms,
    servers: info.servers,
  };
  if (info.servers > 1) await checkRedis();
  const env = { BENCH_REDIS_PREFIX: `sse-bench-${Date.now().toString(36)}:` };
  const started: { server: Server; port: number }[] = [];
  try {
    for (let i = 0; i < info.servers; i++) started.push(await startServer(ctx, info.id, env));
    const servers = started.map((s) => s.server);
    const connected = await ctx.client.call<{ failed: number }>({
      cmd: 'topics-connect',
      ports: started.map((s) => s.port),
      layout,
    });
    if (connected.failed) throw new Error(`${connected.failed} connections failed`);
    await Promise.all(
      servers.map((server, index) => waitForSubscribers(server, clientsOf(layout, index))),
    );
    await sleep(SETTLE_MS);
    await topicsRun(ctx, servers, layout, ctx.options.topicsMaxMs / 3, true);
    const { runs, delivery } = await topicsRun(ctx, servers, layout, ctx.options.topicsMaxMs);
    const start = Math.min(...runs.map((r) => r.startedAt));
    const wallSeconds =
      (Math.max(delivery.lastAt, ...runs.map((r) => r.startedAt + r.wallMs * 1000)) - start) / 1e6;
    const cpuMs = runs.reduce((sum, r) => sum + r.cpuUserMs + r.cpuSystemMs, 0);
    const published = runs.reduce((sum, r) => sum + r.published, 0);
    ctx.record({
      workload: 'topics',
      target: info.id,
      servers: info.servers,
      clients: layout.users,
      publishesPerSec: published / wallSeconds,
      deliveriesPerSec: delivery.delivered / wallSeconds,
      cpuUsPerKDeliveries: (cpuMs * 1000 * 1000) / delivery.delivered,
      p50Ms: delivery.latency.p50 / 1000,
      p99Ms: delivery.latency.p99 / 1000,
      missing: delivery.missing + runs.filter((r) => r.timedOut).length,
      outOfOrder: delivery.outOfOrder,
      dropped: delivery.dropped,
    });
  } finally {
    await ctx.client.call({ cmd: 'disconnect' });
    await Promise.all(started.map((s) => s.server.stop({ cmd: 'exit' })));
  }
}

function clientsOf(layout: TopicsLayout, server: number): number {
  let count = 0;
  for (let user = 0; user < layout.users; user++) {
    if (serverOfClient(layout, user) === server) count++;
  }
  return count;
}

/** One run on every server at once; the client's acknowledgements go to each publisher. */
async function topicsRun(
  ctx: RunContext,
  servers: Server[],
  layout: TopicsLayout,
  maxMs: number,
  warmup = false,
): Promise<{ runs: TopicsRunResult[]; delivery: TopicsDeliveryReport }> {
  await ctx.client.call({ cmd: 'topics-expect', warmup });
  ctx.client.onAck((_upTo, counts) => {
    servers.forEach((server, index) => server.post({ cmd: 'ack', upTo: counts?.[index] ?? 0 }));
  });
  const runs = await Promise.all(
    servers.map((server, index) =>
      server.call<TopicsRunResult>({
        cmd: 'topics-run',
        layout,
        server: index,
        maxMs,
        window: WINDOW / servers.length,
      }),
    ),
  );
  ctx.client.onAck(undefined);
  const merge = (pick: (run: TopicsRunResult) => number[]) =>
    pick(runs[0]!).map((_, i) => Math.max(...runs.map((run) => pick(run)[i]!)));
  const delivery = await ctx.client.call<TopicsDeliveryReport>({
    cmd: 'topics-report',
    userSeqs: merge((run) => run.userSeqs),
    roomSeqs: merge((run) => run.roomSeqs),
  });
  return { runs, delivery };
}
