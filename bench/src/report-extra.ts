import type { BenchOptions } from './options';
import {
  failures as flagged,
  fmt,
  label,
  medianOf,
  ranIn,
  ratio,
  sumOf,
  table,
} from './report-format';
import type { Failure, Sample } from './samples';
import { scaleTargets } from './scale/workload';
import { UNBATCHED_SUFFIX } from './batch-delay';

type Ran = ReturnType<typeof ranIn>;

/** Our core binding without a window reads `@sse/core/node (batchDelay 0)`. */
export const batchLabel = (id: string) =>
  id.endsWith(UNBATCHED_SUFFIX)
    ? `${label(id.slice(0, -UNBATCHED_SUFFIX.length))} (batchDelay 0)`
    : label(id);

export function batchDelayTable(samples: readonly Sample[], ran: Ran): string {
  const m = (id: string, metric: (s: Extract<Sample, { workload: 'batch-delay' }>) => number) =>
    medianOf(samples, 'batch-delay', id, metric);
  const raw = m('raw', (s) => s.deliveriesPerSec);
  const rawP99 = m('raw', (s) => s.p99Ms);
  return table(
    [
      'target',
      'batchDelay ms',
      'events offered / sent',
      'sent events/s',
      'deliveries/s',
      'vs raw',
      'server CPU s',
      'p50 ms',
      'p99 ms',
      'p99 - raw p99 (ms)',
      'missing / out of order / dropped',
    ],
    ran.ids.map((id) => {
      if (ran.failed(id)) return [batchLabel(id), 'n/a', '', '', '', '', '', '', '', '', ''];
      const rate = m(id, (s) => s.deliveriesPerSec);
      const p99 = m(id, (s) => s.p99Ms);
      return [
        batchLabel(id),
        fmt(m(id, (s) => s.batchDelay)),
        `${fmt(m(id, (s) => s.offered))} / ${fmt(m(id, (s) => s.events))}`,
        fmt(m(id, (s) => s.sentPerSec)),
        fmt(rate),
        ratio(rate, raw),
        fmt(
          m(id, (s) => s.cpuSeconds),
          2,
        ),
        fmt(
          m(id, (s) => s.p50Ms),
          1,
        ),
        fmt(p99, 1),
        fmt(p99 - rawP99, 1),
        flagged([
          sumOf(samples, 'batch-delay', id, (s) => s.missing),
          sumOf(samples, 'batch-delay', id, (s) => s.outOfOrder),
          sumOf(samples, 'batch-delay', id, (s) => s.dropped),
        ]),
      ];
    }),
  );
}

export function topicsTable(samples: readonly Sample[], ran: Ran): string {
  return (
    table(
      [
        'target',
        'servers',
        'publishes/s',
        'deliveries/s',
        'CPU µs / 1k deliveries (all servers)',
        'latency p50 ms',
        'latency p99 ms',
        'missing / out of order / dropped',
      ],
      ran.ids.map((id) => {
        if (ran.failed(id)) return [label(id), 'n/a', '', '', '', '', '', ''];
        const m = (metric: (s: Extract<Sample, { workload: 'topics' }>) => number, digits = 0) =>
          fmt(medianOf(samples, 'topics', id, metric), digits);
        return [
          label(id),
          m((s) => s.servers),
          m((s) => s.publishesPerSec),
          m((s) => s.deliveriesPerSec),
          m((s) => s.cpuUsPerKDeliveries),
          m((s) => s.p50Ms, 2),
          m((s) => s.p99Ms, 2),
          flagged([
            sumOf(samples, 'topics', id, (s) => s.missing),
            sumOf(samples, 'topics', id, (s) => s.outOfOrder),
            sumOf(samples, 'topics', id, (s) => s.dropped),
          ]),
        ];
      }),
    ) +
    '\n\nLatency is publish to client read; with two servers, of the deliveries that crossed from one server to the other through Redis.'
  );
}

export function scaleTables(
  options: BenchOptions,
  samples: readonly Sample[],
  failuresSeen: readonly Failure[],
): string {
  const ran = ranIn(
    samples,
    failuresSeen,
    'scale',
    scaleTargets(options).map((t) => t.id),
  );
  const m = (id: string, metric: (s: Extract<Sample, { workload: 'scale' }>) => number) =>
    medianOf(samples, 'scale', id, metric);
  const rawRss = m('raw', (s) => s.rssPerConn);
  const rawHeap = m('raw', (s) => s.heapPerConn);
  const rawConnect = m('raw', (s) => s.connectsPerSec);
  const memory = table(
    [
      'target',
      'connections',
      'RSS / conn (KiB)',
      'RSS vs raw',
      'heap / conn (KiB)',
      'heap - raw (KiB)',
      'kernel socket slab / conn (KiB, both ends)',
      'connects/s',
      'connect vs raw',
      'connect vs raw, paired (median of 3 rounds)',
      'server CPU µs / connect, paired (vs raw)',
    ],
    ran.ids.map((id) => {
      if (ran.failed(id)) return [label(id), 'n/a', '', '', '', '', '', '', '', '', ''];
      const rss = m(id, (s) => s.rssPerConn);
      const heap = m(id, (s) => s.heapPerConn);
      const connect = m(id, (s) => s.connectsPerSec);
      return [
        label(id),
        fmt(m(id, (s) => s.connections)),
        fmt(rss / 1024, 2),
        ratio(rss, rawRss),
        fmt(heap / 1024, 2),
        fmt((heap - rawHeap) / 1024, 2),
        fmt(m(id, (s) => s.slabPerConn) / 1024, 2),
        fmt(connect),
        ratio(connect, rawConnect),
        id === 'raw' ? '' : fmt(pairedConnectRatio(samples, id), 2),
        id === 'raw' ? '' : pairedConnectCpu(samples, id),
      ];
    }),
  );
  const intervals = options.scaleHeartbeats;
  const beats = table(
    [
      'target',
      ...intervals.map((ms) => `CPU µs / heartbeat (${ms / 1000} s)`),
      'one event to all: p50 ms',
      'p99 ms',
      'max ms',
      'missing',
    ],
    ran.ids.map((id) => {
      if (ran.failed(id)) return [label(id), ...intervals.map(() => ''), 'n/a', '', '', ''];
      return [
        label(id),
        ...intervals.map((ms) =>
          fmt(
            m(id, (s) => s.heartbeats.find((h) => h.intervalMs === ms)?.cpuUsPerBeat ?? NaN),
            2,
          ),
        ),
        fmt(
          m(id, (s) => s.reachP50Ms),
          0,
        ),
        fmt(
          m(id, (s) => s.reachP99Ms),
          0,
        ),
        fmt(
          m(id, (s) => s.reachMaxMs),
          0,
        ),
        flagged([sumOf(samples, 'scale', id, (s) => s.missing)]),
      ];
    }),
  );
  const workers = options.scaleWorkers > 1 ? `, ${options.scaleWorkers} workers on one Redis` : '';
  return [
    `### Connections at scale${workers}: memory, kernel, connect rate\n`,
    memory,
    '',
    `### Connections at scale${workers}: heartbeat CPU and one event to every client\n`,
    beats,
    '',
    'The time for one event to reach every client is bound by the client process (one process reading every connection, on the same 2 cores as the server), not by the server.',
    '',
  ].join('\n');
}

/**
 * A target's connect rate over raw's, measured in alternation under the same load (median of
 * the repetitions' medians); NaN without paired phases.
 */
export function pairedConnectRatio(samples: readonly Sample[], id: string): number {
  return medianOf(samples, 'scale', id, (s) => s.pairedConnect?.ratio ?? Number.NaN);
}

/** Server CPU per connect of a target, and over raw's in the same rounds. */
function pairedConnectCpu(samples: readonly Sample[], id: string): string {
  const ours = medianOf(samples, 'scale', id, (s) => s.pairedConnect?.cpuUsPerConn ?? Number.NaN);
  const raw = medianOf(samples, 'scale', id, (s) => s.pairedConnect?.rawCpuUsPerConn ?? Number.NaN);
  return Number.isFinite(ours) ? `${fmt(ours, 0)} (${ratio(ours, raw)})` : '';
}
