import type { BenchChild } from '../child';
import { nowMicros } from '../payload';
import { sleep, startChild, type RunContext } from '../run-context';
import type { RunOutcome } from '../samples';
import { median } from '../stats';
import { openRunsRedis } from './private-redis';
import type {
  FollowReport,
  ProduceResult,
  ProducerCommand,
  ReaderCommand,
  ResumeReport,
  RunsServerCommand,
} from './protocol';
import { openRedisStats, type CommandDelta } from './redis-stats';
import { findRunsTarget, type RunsTargetInfo } from './targets';

type Producer = BenchChild<ProducerCommand>;
type Reader = BenchChild<ReaderCommand>;

/** A throughput run that has not ended by then is reported as incomplete. */
const COLLECT_TIMEOUT_MS = 60_000;
/** Each resuming connection reads this long, then the reader is away this long. */
const RESUME_READ_MS = 150;
const RESUME_AWAY_MS = 50;
/** The producer that is killed has produced for this long (its reader has ~half a second). */
const PRODUCE_BEFORE_KILL_MS = 500;
/** How long a reader arriving after the producer died is watched. */
const LATE_WAIT_MS = 5000;

/**
 * Runs (issue 11): one run at a time from a producer process through Redis to readers in a
 * reader process, via an HTTP reader server; ours (`hub.run` on `redisBroker`) and
 * resumable-stream. Each repetition: throughput to 1 and to `runsReaders` readers (with
 * Redis's command counters and the run's memory), reconnects mid-run, and a producer SIGKILLed
 * mid-run. Every target has a Redis of its own (or its own key prefix on a shared one).
 */
export async function runs(ctx: RunContext, target: { id: string }): Promise<void> {
  const info = findRunsTarget(target.id);
  if (!info) throw new Error(`unknown runs target ${target.id}`);
  const redis = await openRunsRedis();
  const stats = await openRedisStats(redis.url);
  const prefix = `sse-bench-runs:${info.id}:${Date.now().toString(36)}:`;
  const env = { BENCH_REDIS_URL: redis.url, BENCH_REDIS_PREFIX: prefix };
  const stops: (() => Promise<void>)[] = [];
  const start = async <Command extends { cmd: string }>(script: string) => {
    const started = await startChild<Command>(ctx, script, info.id, env);
    // Every process of this workload answers `exit` (it is in each command union).
    stops.push(() => started.child.stop({ cmd: 'exit' } as Command));
    return started;
  };
  try {
    // The second producer is the one killed mid-run; started with the rest, as starts are slow.
    const [{ port }, { child: reader }, { child: producer }, { child: doomed }] = await Promise.all(
      [
        start<RunsServerCommand>('runs/server.ts'),
        start<ReaderCommand>('runs/reader.ts'),
        start<ProducerCommand>('runs/producer.ts'),
        start<ProducerCommand>('runs/producer.ts'),
      ],
    );
    const session = new RunsSession(ctx, info, port, reader);
    const { runsTokens: tokens, runsReaders: readers } = ctx.options;

    await session.throughput(producer, 2, tokens / 5); // warm-up
    let counted = await stats.count();
    const one = await session.throughput(producer, 1, tokens);
    const oneCommands = await counted();
    const memory = await stats.memoryOf(`*${session.lastName}*`);
    counted = await stats.count();
    const many = await session.throughput(producer, readers, tokens);
    const manyCommands = await counted();
    const resumed = await session.resume(producer);
    await producer.stop({ cmd: 'exit' });
    const { death, late } = await session.death(doomed);

    const checks = [one.report, many.report, resumed];
    ctx.record({
      workload: 'runs',
      target: info.id,
      redis: redis.where,
      tokens,
      readers,
      oneReaderTokensPerSec: one.tokensPerSec,
      manyReadersTokensPerSec: many.tokensPerSec,
      resumeP50Ms: median(resumed.firstMissedMs),
      reconnects: resumed.firstMissedMs.length,
      commandsPerToken: oneCommands.total / tokens,
      commandsPerTokenMany: manyCommands.total / tokens,
      commandMix: describeMix(oneCommands, tokens),
      redisBytesPer1000: (memory.bytes / tokens) * 1000,
      death,
      late,
      missing: checks.reduce((sum, r) => sum + r.missing, 0),
      outOfOrder: checks.reduce((sum, r) => sum + r.outOfOrder, 0),
      duplicates: checks.reduce((sum, r) => sum + r.duplicates, 0),
      refused: checks.reduce((sum, r) => sum + r.refused, 0),
    });
  } finally {
    await Promise.all(stops.map((stop) => stop()));
    await stats.clean(`${prefix}*`).catch(() => undefined);
    await stats.close().catch(() => undefined);
    await redis.stop();
  }
}

/** The measurements of one target, against its reader server on `port`. */
class RunsSession {
  private runs = 0;
  lastName = '';

  constructor(
    private readonly ctx: RunContext,
    private readonly info: RunsTargetInfo,
    private readonly port: number,
    private readonly reader: Reader,
  ) {}

  private nextName(): string {
    // `-tokens` ends it, so that `*run-1-tokens*` does not match run 11's keys.
    this.lastName = `run-${++this.runs}-tokens`;
    return this.lastName;
  }

  /** `tokens` produced as fast as the library takes them, to `readers` readers. */
  async throughput(producer: Producer, readers: number, tokens: number) {
    const name = this.nextName();
    await producer.call({ cmd: 'open', name, tokens, perSecond: 0 });
    await this.reader.call({
      cmd: 'follow',
      port: this.port,
      name,
      readers,
      resumeBy: this.info.resumeBy,
      tokens,
    });
    const [produced, report] = await Promise.all([
      producer.call<ProduceResult>({ cmd: 'produce' }),
      this.reader.call<FollowReport>({ cmd: 'collect', timeoutMs: COLLECT_TIMEOUT_MS }),
    ]);
    const seconds = (report.lastAt - produced.startedAt) / 1e6;
    return { tokensPerSec: tokens / seconds, report };
  }

  /** A reader that leaves and comes back `runsReconnects` times during a paced run. */
  async resume(producer: Producer): Promise<ResumeReport> {
    const { runsReconnects: reconnects, runsPerSecond: perSecond } = this.ctx.options;
    const name = this.nextName();
    // Long enough for every reconnect, with a second to spare.
    const seconds = (reconnects * (RESUME_READ_MS + RESUME_AWAY_MS)) / 1000 + 1;
    const tokens = Math.ceil(seconds * perSecond);
    await producer.call({ cmd: 'open', name, tokens, perSecond });
    const [, report] = await Promise.all([
      producer.call<ProduceResult>({ cmd: 'produce' }),
      this.reader.call<ResumeReport>({
        cmd: 'resume',
        port: this.port,
        name,
        resumeBy: this.info.resumeBy,
        tokens,
        reconnects,
        readMs: RESUME_READ_MS,
        awayMs: RESUME_AWAY_MS,
        timeoutMs: COLLECT_TIMEOUT_MS,
      }),
    ]);
    return report;
  }

  /** A paced run whose producer is SIGKILLed mid-run: what its reader, then a new one, get. */
  async death(producer: Producer): Promise<{ death: RunOutcome; late: RunOutcome }> {
    const { runsPerSecond: perSecond, runsLeaseMs: leaseMs, runsDeathWaitMs } = this.ctx.options;
    const name = this.nextName();
    const tokens = perSecond * 3600;
    await producer.call({ cmd: 'open', name, tokens, perSecond, leaseMs });
    const common = { port: this.port, name, resumeBy: this.info.resumeBy };
    await this.reader.call({ cmd: 'follow', ...common, readers: 1, tokens });
    producer.call({ cmd: 'produce' }).catch(() => undefined);
    await sleep(PRODUCE_BEFORE_KILL_MS);
    const killedAt = nowMicros();
    await producer.kill('SIGKILL');
    const death = await this.reader.call<RunOutcome>({
      cmd: 'watch',
      killedAt,
      waitMs: runsDeathWaitMs,
    });
    const late = await this.reader.call<RunOutcome>({
      cmd: 'late',
      ...common,
      waitMs: LATE_WAIT_MS,
    });
    return { death, late };
  }
}

/** `xadd 1.00, publish 1.00, evalsha 0.01`: calls per token, most first. */
function describeMix(delta: CommandDelta, tokens: number): string {
  return Object.entries(delta.byCommand)
    .sort((a, b) => b[1] - a[1])
    .filter(([, calls]) => calls / tokens >= 0.001)
    .map(([name, calls]) => `${name} ${(calls / tokens).toFixed(3)}`)
    .join(', ');
}
