import type { Failure, Sample } from './samples';
import { median } from './stats';
import { TARGETS } from './targets/registry';
import { RUNS_TARGETS } from './runs/targets';
import { TOPICS_TARGETS } from './topics/targets';

export type SampleOf<W extends Sample['workload']> = Extract<Sample, { workload: W }>;

export const label = (id: string) =>
  [...TARGETS, ...TOPICS_TARGETS, ...RUNS_TARGETS].find((t) => t.id === id)?.label ?? id;

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

export const ratio = (n: number, base: number) =>
  Number.isFinite(n / base) ? `${(n / base).toFixed(2)}x` : 'n/a';

function select<W extends Sample['workload']>(
  samples: readonly Sample[],
  workload: W,
  target: string,
  where: (sample: SampleOf<W>) => boolean,
): SampleOf<W>[] {
  return samples
    .filter((s): s is SampleOf<W> => s.workload === workload && s.target === target)
    .filter(where);
}

/** Median of one metric per target, over repetitions. */
export function medianOf<W extends Sample['workload']>(
  samples: readonly Sample[],
  workload: W,
  target: string,
  metric: (sample: SampleOf<W>) => number,
  where: (sample: SampleOf<W>) => boolean = () => true,
): number {
  return median(select(samples, workload, target, where).map(metric));
}

/**
 * The lowest value of one metric per target, over repetitions: for a cost (CPU per event) on a
 * shared machine, where other processes and scheduling only ever add to it.
 */
export function minOf<W extends Sample['workload']>(
  samples: readonly Sample[],
  workload: W,
  target: string,
  metric: (sample: SampleOf<W>) => number,
): number {
  const values = select(samples, workload, target, () => true).map(metric);
  return values.length ? Math.min(...values) : Number.NaN;
}

export function sumOf<W extends Sample['workload']>(
  samples: readonly Sample[],
  workload: W,
  target: string,
  metric: (sample: SampleOf<W>) => number,
  where: (sample: SampleOf<W>) => boolean = () => true,
): number {
  return select(samples, workload, target, where).reduce((sum, s) => sum + metric(s), 0);
}

/** `a / b / c`, flagged **FAIL** when any is not 0. */
export function failures(counts: number[]): string {
  return `${counts.join(' / ')}${counts.some((n) => n > 0) ? ' **FAIL**' : ''}`;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Targets that ran `workload` (in order), and whether one of them failed it. */
export function ranIn(
  samples: readonly Sample[],
  failuresSeen: readonly Failure[],
  workload: string,
  ids: readonly string[],
): { ids: string[]; failed: (id: string) => boolean } {
  const failed = (id: string) =>
    failuresSeen.some((f) => f.workload === workload && f.target === id);
  return {
    ids: ids.filter(
      (id) => failed(id) || samples.some((s) => s.workload === workload && s.target === id),
    ),
    failed,
  };
}
