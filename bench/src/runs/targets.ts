import type { ProduceResult, ResumeBy } from './protocol';

/** The producing side of one target: one run at a time. */
export interface RunProducer {
  /** Creates run `name` (readers may connect from then on); tokens flow on `produce`. */
  open(name: string, tokens: number, perSecond: number, leaseMs?: number): Promise<void>;
  /** Produces the opened run's tokens and ends it. */
  produce(): Promise<ProduceResult>;
  close(): Promise<void>;
}

/** The reading side: an HTTP server answering `GET /runs/<name>` with the run as SSE. */
export interface RunReaderServer {
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Where a target's processes find Redis and their keys (set by the orchestrator). */
export interface RunsRedis {
  url: string;
  /** Every key and channel of this target's runs starts with it. */
  prefix: string;
}

export interface RunsTargetInfo {
  id: string;
  label: string;
  resumeBy: ResumeBy;
  producer(redis: RunsRedis): Promise<RunProducer>;
  server(redis: RunsRedis): Promise<RunReaderServer>;
}

export const RUNS_TARGETS: readonly RunsTargetInfo[] = [
  {
    id: 'runs-ours',
    label: '@sse/core hub.run on redisBroker',
    resumeBy: 'last-event-id',
    producer: async (redis) => (await import('./ours')).createOursProducer(redis),
    server: async (redis) => (await import('./ours')).createOursServer(redis),
  },
  {
    id: 'runs-resumable-stream',
    label: 'resumable-stream 2.2 (node-redis)',
    resumeBy: 'characters',
    producer: async (redis) => (await import('./theirs')).createTheirsProducer(redis),
    server: async (redis) => (await import('./theirs')).createTheirsServer(redis),
  },
];

export function findRunsTarget(id: string): RunsTargetInfo | undefined {
  return RUNS_TARGETS.find((target) => target.id === id);
}

/** The run `name` of `/runs/<name>?...`. */
export function runNameOf(url: string | undefined): string {
  const path = (url ?? '').split('?')[0] ?? '';
  return decodeURIComponent(path.slice('/runs/'.length));
}

/** The environment the orchestrator gives a target's processes. */
export function redisOfEnv(): RunsRedis {
  const url = process.env.BENCH_REDIS_URL;
  const prefix = process.env.BENCH_REDIS_PREFIX;
  if (!url || !prefix) throw new Error('BENCH_REDIS_URL and BENCH_REDIS_PREFIX must be set');
  return { url, prefix };
}
