import type { BenchOptions } from './options';
import {
  failures as flagged,
  fmt,
  label,
  medianOf,
  minOf,
  ranIn,
  ratio,
  sumOf,
  table,
  type SampleOf,
} from './report-format';
import { batchDelayTargets } from './batch-delay';
import { batchLatencyTable } from './report-batch';
import { batchDelayTable, scaleTables, topicsTable } from './report-extra';
import { renderGoals } from './report-goals';
import type { Failure, Sample } from './samples';
import { runsTables } from './runs/report';
import { RUNS_TARGETS } from './runs/targets';
import { TOPICS_TARGETS } from './topics/targets';

type Ran = ReturnType<typeof ranIn>;

function fanoutTable(
  samples: readonly Sample[],
  ran: Ran,
  workload: 'fanout' | 'per-turn',
  clients: number,
) {
  const at = (s: SampleOf<typeof workload>) => s.clients === clients;
  const raw = medianOf(samples, workload, 'raw', (s) => s.deliveriesPerSec, at);
  return table(
    [
      'target',
      'deliveries/s',
      'vs raw',
      'server CPU s',
      'CPU µs / 1k deliveries',
      'missing / out of order / dropped',
    ],
    ran.ids.map((id) => {
      if (ran.failed(id)) return [label(id), 'n/a', '', '', '', ''];
      const rate = medianOf(samples, workload, id, (s) => s.deliveriesPerSec, at);
      const cpu = medianOf(samples, workload, id, (s) => s.cpuSeconds, at);
      const perK = medianOf(
        samples,
        workload,
        id,
        (s) => (s.cpuSeconds * 1e9) / (s.deliveriesPerSec * s.wallSeconds),
        at,
      );
      return [
        label(id),
        fmt(rate),
        ratio(rate, raw),
        fmt(cpu, 2),
        fmt(perK, 0),
        flagged([
          sumOf(samples, workload, id, (s) => s.missing, at),
          sumOf(samples, workload, id, (s) => s.outOfOrder, at),
          sumOf(samples, workload, id, (s) => s.dropped, at),
        ]),
      ];
    }),
  );
}

function singleTable(
  samples: readonly Sample[],
  ran: Ran,
  workload: 'single' | 'per-turn-single' | 'channel-single',
) {
  const raw = medianOf(samples, workload, 'raw', (s) => s.eventsPerSec);
  const rawLowest = minOf(samples, workload, 'raw', (s) => s.cpuUsPerEvent);
  return table(
    [
      'target',
      'events/s',
      'vs raw',
      'server CPU µs / event',
      'lowest run',
      'lowest vs raw',
      'missing / out of order',
    ],
    ran.ids.map((id) => {
      if (ran.failed(id)) return [label(id), 'n/a', '', '', '', '', ''];
      const rate = medianOf(samples, workload, id, (s) => s.eventsPerSec);
      const cpu = medianOf(samples, workload, id, (s) => s.cpuUsPerEvent);
      const lowest = minOf(samples, workload, id, (s) => s.cpuUsPerEvent);
      return [
        label(id),
        fmt(rate),
        ratio(rate, raw),
        fmt(cpu, 2),
        fmt(lowest, 2),
        ratio(lowest, rawLowest),
        flagged([
          sumOf(samples, workload, id, (s) => s.missing),
          sumOf(samples, workload, id, (s) => s.outOfOrder),
        ]),
      ];
    }),
  );
}

/**
 * The markdown report: the per-turn workloads first (one event per macrotask, as events arrive
 * from the network), then topics, then the secondary workloads, scale, and the goals.
 */
export function renderReport(
  options: BenchOptions,
  samples: readonly Sample[],
  failuresSeen: readonly Failure[],
): string {
  const ids = options.targets.map((t) => t.id);
  const ran = (workload: string, list: readonly string[] = ids) =>
    ranIn(samples, failuresSeen, workload, list);
  const has = (workload: string) => options.workloads.some((w) => w === workload);
  const out: string[] = [];
  const section = (title: string, body: string) => out.push(`### ${title}\n`, body, '');

  if (has('per-turn')) {
    for (const clients of options.perTurnClients) {
      section(
        `Fan-out, one event per turn, ${clients} clients (headline)`,
        fanoutTable(samples, ran('per-turn'), 'per-turn', clients),
      );
    }
  }
  if (has('per-turn-single')) {
    section(
      `Single stream, one event per turn, ${options.perTurnSingleEvents} events (headline)`,
      singleTable(samples, ran('per-turn-single'), 'per-turn-single'),
    );
  }
  if (has('channel-single')) {
    section(
      `Single stream through a channel, ${options.singleEvents} events, each publish awaited`,
      singleTable(samples, ran('channel-single'), 'channel-single'),
    );
  }
  if (has('batch-delay')) {
    const batchRan = ran(
      'batch-delay',
      batchDelayTargets(options.targets).map((t) => t.id),
    );
    section(
      `batchDelay throughput: ${options.batchClients} clients, ${options.batchPerSecond} events/s one per turn (ours: batchDelay ${options.batchDelay} ms)`,
      batchDelayTable(samples, batchRan),
    );
    section(
      `batchDelay latency: ${options.batchClients} clients, ${options.batchLatencyPerSecond} events/s one per turn for ${options.batchLatencySeconds} s, latency from when each event was due (ours: batchDelay ${options.batchDelay} ms)`,
      batchLatencyTable(samples, batchRan),
    );
  }
  if (has('topics')) {
    section(
      `Topics: ${options.topicsClients} clients, each on its user topic and one of ${options.topicsRooms} rooms, one publish per turn`,
      topicsTable(
        samples,
        ran(
          'topics',
          TOPICS_TARGETS.map((t) => t.id),
        ),
      ),
    );
  }
  if (has('runs')) {
    section(
      'Runs: one producer, readers through Redis, ours and resumable-stream',
      runsTables(
        options,
        samples,
        ran(
          'runs',
          RUNS_TARGETS.map((t) => t.id),
        ),
      ),
    );
  }
  if (has('fanout')) {
    for (const clients of options.fanoutClients) {
      section(
        `Fan-out, bursts of ${options.burst} events per turn, ${clients} clients (secondary)`,
        fanoutTable(samples, ran('fanout'), 'fanout', clients),
      );
    }
  }
  if (has('memory')) {
    const rawHeap = medianOf(samples, 'memory', 'raw', (s) => s.heapPerConn);
    const r = ran('memory');
    section(
      `Memory per idle connection, ${options.memoryClients} clients (after GC)`,
      table(
        ['target', 'RSS / conn (KiB)', 'heap / conn (KiB)', 'heap vs raw (KiB)'],
        r.ids.map((id) => {
          if (r.failed(id)) return [label(id), 'n/a', '', ''];
          const rss = medianOf(samples, 'memory', id, (s) => s.rssPerConn);
          const heap = medianOf(samples, 'memory', id, (s) => s.heapPerConn);
          return [
            label(id),
            fmt(rss / 1024, 2),
            fmt(heap / 1024, 2),
            fmt((heap - rawHeap) / 1024, 2),
          ];
        }),
      ),
    );
  }
  if (has('latency')) {
    const rawP99 = medianOf(samples, 'latency', 'raw', (s) => s.p99Ms);
    const r = ran('latency');
    section(
      `Latency, ${options.latencyClients} clients, one event every ${options.latencyIntervalMs} ms (publish to client read)`,
      table(
        ['target', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs raw', 'missing / out of order'],
        r.ids.map((id) => {
          if (r.failed(id)) return [label(id), 'n/a', '', '', '', ''];
          const p99 = medianOf(samples, 'latency', id, (s) => s.p99Ms);
          return [
            label(id),
            fmt(
              medianOf(samples, 'latency', id, (s) => s.p50Ms),
              2,
            ),
            fmt(p99, 2),
            fmt(
              medianOf(samples, 'latency', id, (s) => s.maxMs),
              2,
            ),
            ratio(p99, rawP99),
            flagged([
              sumOf(samples, 'latency', id, (s) => s.missing),
              sumOf(samples, 'latency', id, (s) => s.outOfOrder),
            ]),
          ];
        }),
      ),
    );
  }
  if (has('single')) {
    section(
      `Single stream, ${options.singleEvents} events back to back, awaiting drain (secondary)`,
      singleTable(samples, ran('single'), 'single'),
    );
  }
  if (has('scale')) out.push(scaleTables(options, samples, failuresSeen));

  out.push(renderGoals(options, samples));
  if (failuresSeen.length) {
    out.push('\n### Not run (n/a)\n');
    for (const f of failuresSeen)
      out.push(`- ${label(f.target)} (${f.workload}): ${f.error.split('\n')[0]}`);
  }
  return out.join('\n');
}
