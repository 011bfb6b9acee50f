import type { BenchOptions } from './options';
import type { ranIn } from './report-format';
import { failures as flagged, fmt, medianOf, table, type SampleOf } from './report-format';
import { batchLabel } from './report-extra';
import type { BatchLatencyPhase, Sample } from './samples';

type Ran = ReturnType<typeof ranIn>;
type Phase = (s: BatchLatencyPhase) => number;

const phaseOf = (samples: readonly Sample[], id: string, metric: Phase) =>
  medianOf(samples, 'batch-delay', id, (s) =>
    s.latencyPhase ? metric(s.latencyPhase) : Number.NaN,
  );

const phases = (samples: readonly Sample[], id: string): BatchLatencyPhase[] =>
  samples
    .filter((s): s is SampleOf<'batch-delay'> => s.workload === 'batch-delay' && s.target === id)
    .flatMap((s) => (s.latencyPhase ? [s.latencyPhase] : []));

/** Repetitions in which `id` published fewer events than the schedule offered. */
const behind = (samples: readonly Sample[], id: string) =>
  phases(samples, id).filter((p) => p.events < p.offered);

/** The latency phase: medians over repetitions; latency from when each event was due. */
export function batchLatencyTable(samples: readonly Sample[], ran: Ran): string {
  const rawP99 = phaseOf(samples, 'raw', (p) => p.p99Ms);
  return table(
    [
      'target',
      'batchDelay ms',
      'events offered / sent (every rep)',
      'publisher max lag ms',
      'server CPU ms / event',
      'deliveries measured',
      'p50 ms',
      'p99 ms',
      'max ms',
      'p99 - raw p99 (ms)',
      'missing / out of order / dropped',
    ],
    ran.ids.map((id) => {
      if (ran.failed(id)) return [batchLabel(id), 'n/a', '', '', '', '', '', '', '', '', ''];
      const m = (metric: Phase) => phaseOf(samples, id, metric);
      const all = phases(samples, id);
      const sent = all.map((p) => `${fmt(p.offered)} / ${fmt(p.events)}`);
      const p99 = m((p) => p.p99Ms);
      const sum = (metric: Phase) => all.reduce((total, p) => total + metric(p), 0);
      return [
        batchLabel(id),
        fmt(medianOf(samples, 'batch-delay', id, (s) => s.batchDelay)),
        `${[...new Set(sent)].join(', ')}${behind(samples, id).length ? ' **BEHIND**' : ''}`,
        fmt(
          m((p) => p.maxLagMs),
          1,
        ),
        fmt(
          m((p) => p.cpuMsPerEvent),
          2,
        ),
        fmt(m((p) => p.latencySamples)),
        fmt(
          m((p) => p.p50Ms),
          1,
        ),
        fmt(p99, 1),
        fmt(
          m((p) => p.maxMs),
          1,
        ),
        fmt(p99 - rawP99, 1),
        flagged([sum((p) => p.missing), sum((p) => p.outOfOrder), sum((p) => p.dropped)]),
      ];
    }),
  );
}

/**
 * Issue 13's rows: deliveries/s at the throughput rate; at the latency rate, core's p99 over
 * raw's within the window, meaningful only if both kept the schedule; and whether every target
 * did. Each row: check, value, goal, result.
 */
export function batchDelayGoals(options: BenchOptions, samples: readonly Sample[]): string[][] {
  const rows: string[][] = [];
  const result = (value: number, ok: boolean) =>
    Number.isFinite(value) ? (ok ? 'met' : '**NOT MET**') : 'not measured';
  const rate = (id: string) => medianOf(samples, 'batch-delay', id, (s) => s.deliveriesPerSec);
  const ratio = rate('core') / rate('raw');
  rows.push([
    `batchDelay ${options.batchDelay}, ${fmt(options.batchPerSecond)} events/s: core deliveries/s / raw`,
    Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a',
    '>= 3',
    result(ratio, ratio >= 3),
  ]);
  const at = `batchDelay ${options.batchDelay}, ${fmt(options.batchLatencyPerSecond)} events/s`;
  const diff = phaseOf(samples, 'core', (p) => p.p99Ms) - phaseOf(samples, 'raw', (p) => p.p99Ms);
  const late = ['raw', 'core'].filter((id) => behind(samples, id).length > 0);
  rows.push([
    `${at}: core p99 - raw p99 (ms)`,
    Number.isFinite(diff) ? diff.toFixed(2) : 'n/a',
    `<= ${options.batchDelay}`,
    late.length
      ? `not meaningful: ${late.join(', ')} fell behind the schedule`
      : result(diff, diff <= options.batchDelay),
  ]);
  const ids = [
    ...new Set(samples.flatMap((s) => (s.workload === 'batch-delay' ? [s.target] : []))),
  ];
  const measured = ids.filter((id) => phases(samples, id).length > 0);
  const lagging = measured.filter((id) => behind(samples, id).length > 0);
  if (measured.length) {
    rows.push([
      `${at}: targets that sent every offered event (every rep)`,
      `${measured.length - lagging.length} / ${measured.length}`,
      'all',
      lagging.length ? `**NOT MET**: ${lagging.map(batchLabel).join(', ')}` : 'met',
    ]);
  }
  return rows.filter((row) => row[3] !== 'not measured');
}
