import type { BenchOptions } from '../options';
import { failures as flagged, fmt, label, medianOf, sumOf, table } from '../report-format';
import type { ranIn } from '../report-format';
import type { RunOutcome, RunsSample, Sample } from '../samples';
import { median } from '../stats';

type Ran = ReturnType<typeof ranIn>;

const of = (samples: readonly Sample[], id: string) =>
  samples.filter((s): s is RunsSample => s.workload === 'runs' && s.target === id);

/** The runs workload's tables: rates and costs, what readers see when a producer dies. */
export function runsTables(options: BenchOptions, samples: readonly Sample[], ran: Ran): string {
  const m = (id: string, metric: (s: RunsSample) => number, digits = 0) =>
    fmt(medianOf(samples, 'runs', id, metric), digits);
  const readers = options.runsReaders;
  const costs = table(
    [
      'target',
      'tokens/s, 1 reader',
      `tokens/s, ${readers} readers`,
      'resume: reconnect to first missed token, p50 ms',
      'Redis commands / token, 1 reader',
      `Redis commands / token, ${readers} readers`,
      'Redis bytes / 1,000 tokens',
      'requests refused (tried again)',
      'missing / out of order / duplicates',
    ],
    ran.ids.map((id) => {
      if (ran.failed(id)) return [label(id), 'n/a', '', '', '', '', '', '', ''];
      return [
        label(id),
        m(id, (s) => s.oneReaderTokensPerSec),
        m(id, (s) => s.manyReadersTokensPerSec),
        m(id, (s) => s.resumeP50Ms, 1),
        m(id, (s) => s.commandsPerToken, 2),
        m(id, (s) => s.commandsPerTokenMany, 2),
        m(id, (s) => s.redisBytesPer1000),
        fmt(sumOf(samples, 'runs', id, (s) => s.refused)),
        flagged([
          sumOf(samples, 'runs', id, (s) => s.missing),
          sumOf(samples, 'runs', id, (s) => s.outOfOrder),
          sumOf(samples, 'runs', id, (s) => s.duplicates),
        ]),
      ];
    }),
  );
  const death = table(
    [
      'target',
      `a reader of the run (SIGKILL of the producer; watched ${options.runsDeathWaitMs / 1000} s)`,
      'a reader arriving after the kill',
    ],
    ran.ids
      .filter((id) => !ran.failed(id))
      .map((id) => [
        label(id),
        describeOutcomes(of(samples, id).map((s) => s.death)),
        describeOutcomes(of(samples, id).map((s) => s.late)),
      ]),
  );
  const mix = ran.ids
    .filter((id) => !ran.failed(id))
    .map((id) => `- ${label(id)}: ${of(samples, id)[0]?.commandMix ?? 'n/a'}`);
  const where = samples.some((s) => s.workload === 'runs' && s.redis === 'shared')
    ? 'the shared Redis (its counters also count whatever else used it meanwhile)'
    : 'a redis-server of its own per target and repetition';
  return [
    costs,
    '',
    `Tokens: ${options.runsTokens.toLocaleString('en-US')} of 5-6 bytes, produced as fast as each library takes them; tokens/s runs from the first token produced to the last token read by every reader. Resume: ${options.runsPerSecond} tokens/s, a reader away 50 ms, ${options.runsReconnects} reconnects. Redis: ${where}; commands counted by \`INFO commandstats\` over every connection, commands run inside scripts included.`,
    '',
    'Redis calls per token by command (1 reader, first repetition):',
    '',
    ...mix,
    '',
    `What readers see when the producer dies (our \`lease\`: ${options.runsLeaseMs} ms):`,
    '',
    death,
  ].join('\n');
}

/** `sse-error {...} 1.4 s after (3 of 3); 480 tokens before`, one clause per outcome seen. */
export function describeOutcomes(outcomes: readonly RunOutcome[]): string {
  const kinds = [...new Set(outcomes.map((o) => o.outcome))];
  return kinds
    .map((kind) => {
      const these = outcomes.filter((o) => o.outcome === kind);
      const seconds = (median(these.map((o) => o.afterMs)) / 1000).toFixed(1);
      const tokens = fmt(median(these.map((o) => o.tokens)));
      const detail = these[0]!.detail.replace(/\|/g, '\\|');
      const share = `${these.length} of ${outcomes.length}`;
      switch (kind) {
        case 'sse-error':
          return `\`sse-error\` \`${detail}\` ${seconds} s after (${share}); ${tokens} tokens`;
        case 'ended':
          return `response ended (${detail}) ${seconds} s after, no error (${share}); ${tokens} tokens`;
        case 'http-error':
          return `HTTP ${these[0]!.status} \`${detail}\` ${seconds} s after (${share}); ${tokens} tokens`;
        case 'hang':
          return `nothing within ${seconds} s: ${detail} (${share}); ${tokens} tokens`;
      }
    })
    .join('; ');
}
