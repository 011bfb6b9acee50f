import type { BenchOptions } from './options';
import { median } from './stats';
import { TARGETS } from './targets/registry';
import type { Failure, Sample } from './workloads';

type Pick<W extends Sample['workload']> = Extract<Sample, { workload: W }>;

const label = (id: string) => TARGETS.find((t) => t.id === id)?.label ?? id;
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
const ratio = (n: number, base: number) =>
  Number.isFinite(n / base) ? `${(n / base).toFixed(2)}x` : 'n/a';

/** Median of one metric per target, over repetitions. */
export function medianOf<W extends Sample['workload']>(
  samples: readonly Sample[],
  workload: W,
  target: string,
  metric: (sample: Pick<W>) => number,
  where: (sample: Pick<W>) => boolean = () => true,
): number {
  const values = samples
    .filter((s): s is Pick<W> => s.workload === workload && s.target === target)
    .filter(where)
    .map(metric);
  return median(values);
}

function sumOf<W extends Sample['workload']>(
  samples: readonly Sample[],
  workload: W,
  target: string,
  metric: (sample: Pick<W>) => number,
  where: (sample: Pick<W>) => boolean = () => true,
): number {
  return samples
    .filter((s): s is Pick<W> => s.workload === workload && s.target === target)
    .filter(where)
    .reduce((sum, s) => sum + metric(s), 0);
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The markdown report: one table per workload, then the targets of issue 4. */
export function renderReport(
  options: BenchOptions,
  samples: readonly Sample[],
  failures: readonly Failure[],
): string {
  const ids = options.targets.map((t) => t.id);
  const failed = (workload: string, id: string) =>
    failures.some((f) => f.workload === workload && f.target === id);
  const out: string[] = [];

  if (options.workloads.includes('fanout')) {
    for (const clients of options.fanoutClients) {
      const at = (s: Pick<'fanout'>) => s.clients === clients;
      const raw = medianOf(samples, 'fanout', 'raw', (s) => s.deliveriesPerSec, at);
      out.push(`### Fan-out, ${clients} clients (burst ${options.burst} events per tick)\n`);
      out.push(
        table(
          [
            'target',
            'deliveries/s',
            'vs raw',
            'server CPU s',
            'CPU µs / 1k deliveries',
            'missing / out of order / dropped',
          ],
          ids.map((id) => {
            if (failed('fanout', id)) return [label(id), 'n/a', '', '', '', ''];
            const rate = medianOf(samples, 'fanout', id, (s) => s.deliveriesPerSec, at);
            const cpu = medianOf(samples, 'fanout', id, (s) => s.cpuSeconds, at);
            const perK = medianOf(
              samples,
              'fanout',
              id,
              (s) => (s.cpuSeconds * 1e9) / (s.deliveriesPerSec * s.wallSeconds),
              at,
            );
            const bad = [
              sumOf(samples, 'fanout', id, (s) => s.missing, at),
              sumOf(samples, 'fanout', id, (s) => s.outOfOrder, at),
              sumOf(samples, 'fanout', id, (s) => s.dropped, at),
            ];
            const flag = bad.some((n) => n > 0) ? ' **FAIL**' : '';
            return [
              label(id),
              fmt(rate),
              ratio(rate, raw),
              fmt(cpu, 2),
              fmt(perK, 0),
              `${bad.join(' / ')}${flag}`,
            ];
          }),
        ),
        '',
      );
    }
  }

  if (options.workloads.includes('memory')) {
    const rawHeap = medianOf(samples, 'memory', 'raw', (s) => s.heapPerConn);
    out.push(`### Memory per idle connection, ${options.memoryClients} clients (after GC)\n`);
    out.push(
      table(
        ['target', 'RSS / conn (KiB)', 'heap / conn (KiB)', 'heap vs raw (KiB)'],
        ids.map((id) => {
          if (failed('memory', id)) return [label(id), 'n/a', '', ''];
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
      '',
    );
  }

  if (options.workloads.includes('latency')) {
    const rawP99 = medianOf(samples, 'latency', 'raw', (s) => s.p99Ms);
    out.push(
      `### Latency, ${options.latencyClients} clients, one event every ${options.latencyIntervalMs} ms (publish to client read)\n`,
    );
    out.push(
      table(
        ['target', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs raw', 'missing / out of order'],
        ids.map((id) => {
          if (failed('latency', id)) return [label(id), 'n/a', '', '', '', ''];
          const p99 = medianOf(samples, 'latency', id, (s) => s.p99Ms);
          const bad = [
            sumOf(samples, 'latency', id, (s) => s.missing),
            sumOf(samples, 'latency', id, (s) => s.outOfOrder),
          ];
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
            `${bad.join(' / ')}${bad.some((n) => n > 0) ? ' **FAIL**' : ''}`,
          ];
        }),
      ),
      '',
    );
  }

  if (options.workloads.includes('single')) {
    const raw = medianOf(samples, 'single', 'raw', (s) => s.eventsPerSec);
    out.push(`### Single stream, ${options.singleEvents} events to one client, awaiting drain\n`);
    out.push(
      table(
        ['target', 'events/s', 'vs raw', 'missing / out of order'],
        ids.map((id) => {
          if (failed('single', id)) return [label(id), 'n/a', '', ''];
          const rate = medianOf(samples, 'single', id, (s) => s.eventsPerSec);
          const bad = [
            sumOf(samples, 'single', id, (s) => s.missing),
            sumOf(samples, 'single', id, (s) => s.outOfOrder),
          ];
          return [
            label(id),
            fmt(rate),
            ratio(rate, raw),
            `${bad.join(' / ')}${bad.some((n) => n > 0) ? ' **FAIL**' : ''}`,
          ];
        }),
      ),
      '',
    );
  }

  out.push(renderTargets(options, samples));
  if (failures.length) {
    out.push('\n### Not run (n/a)\n');
    for (const f of failures)
      out.push(`- ${label(f.target)} (${f.workload}): ${f.error.split('\n')[0]}`);
  }
  return out.join('\n');
}

/** The targets of issue 4, each as met / not met / not measured in this run. */
export function renderTargets(options: BenchOptions, samples: readonly Sample[]): string {
  const rows: string[][] = [];
  const check = (name: string, value: number, goal: string, ok: boolean) =>
    rows.push([
      name,
      Number.isFinite(value) ? value.toFixed(2) : 'n/a',
      goal,
      Number.isFinite(value) ? (ok ? 'met' : '**NOT MET**') : 'not measured',
    ]);
  const at1000 = (s: Pick<'fanout'>) => s.clients === 1000;
  const fan = (id: string) => medianOf(samples, 'fanout', id, (s) => s.deliveriesPerSec, at1000);
  const core = fan('core');
  check('fan-out 1000: core / raw', core / fan('raw'), '>= 1.0', core / fan('raw') >= 1);
  check(
    'fan-out 1000: core / better-sse',
    core / fan('better-sse'),
    '>= 2.5',
    core / fan('better-sse') >= 2.5,
  );
  const heap = (id: string) => medianOf(samples, 'memory', id, (s) => s.heapPerConn) / 1024;
  check(
    'idle heap/conn: core - raw (KiB)',
    heap('core') - heap('raw'),
    '<= 2',
    heap('core') - heap('raw') <= 2,
  );
  const p99 = (id: string) => medianOf(samples, 'latency', id, (s) => s.p99Ms);
  check(
    'latency p99: core / raw',
    p99('core') / p99('raw'),
    '<= 1.1',
    p99('core') / p99('raw') <= 1.1,
  );
  const single = (id: string) => medianOf(samples, 'single', id, (s) => s.eventsPerSec);
  check(
    'single stream: core / raw',
    single('core') / single('raw'),
    '>= 0.9',
    single('core') / single('raw') >= 0.9,
  );
  for (const adapter of ['express', 'koa', 'fastify', 'hono']) {
    if (!options.targets.some((t) => t.id === adapter)) continue;
    check(
      `fan-out 1000: ${adapter} / core`,
      fan(adapter) / core,
      '>= 0.85',
      fan(adapter) / core >= 0.85,
    );
    check(
      `latency p99: ${adapter} / core`,
      p99(adapter) / p99('core'),
      '<= 1.15',
      p99(adapter) / p99('core') <= 1.15,
    );
    check(
      `single stream: ${adapter} / core`,
      single(adapter) / single('core'),
      '>= 0.85',
      single(adapter) / single('core') >= 0.85,
    );
  }
  return `### Targets (issue 4)\n\n${table(['check', 'value', 'goal', 'result'], rows)}\n`;
}
