import type { PairedConnectRates } from './scale/paired-connect';

/** One measurement of one target, per workload (the report takes medians over repetitions). */

interface FanoutFields {
  target: string;
  clients: number;
  events: number;
  deliveriesPerSec: number;
  cpuSeconds: number;
  wallSeconds: number;
  missing: number;
  outOfOrder: number;
  dropped: number;
}

interface SingleFields {
  target: string;
  events: number;
  eventsPerSec: number;
  /**
   * Server CPU (user + system, every thread) per event, µs: steadier than events/s, which
   * swings with how the one client's reads batch.
   */
  cpuUsPerEvent: number;
  missing: number;
  outOfOrder: number;
}

export interface ScaleHeartbeat {
  intervalMs: number;
  /** Server CPU (user + system) per heartbeat sent, µs. */
  cpuUsPerBeat: number;
}

export type Sample =
  | (FanoutFields & { workload: 'fanout' })
  | (FanoutFields & { workload: 'per-turn' })
  | { workload: 'memory'; target: string; clients: number; rssPerConn: number; heapPerConn: number }
  | {
      workload: 'latency';
      target: string;
      clients: number;
      p50Ms: number;
      p99Ms: number;
      maxMs: number;
      missing: number;
      outOfOrder: number;
    }
  | (SingleFields & { workload: 'single' })
  | (SingleFields & { workload: 'per-turn-single' })
  | (SingleFields & { workload: 'channel-single' })
  | {
      workload: 'batch-delay';
      target: string;
      batchDelay: number;
      clients: number;
      /** Events the schedule offered over the run. */
      offered: number;
      /** Events the target published (sent) before the schedule ended. */
      events: number;
      sentPerSec: number;
      deliveriesPerSec: number;
      cpuSeconds: number;
      p50Ms: number;
      p99Ms: number;
      maxMs: number;
      missing: number;
      outOfOrder: number;
      dropped: number;
      /** The latency phase, at a rate raw keeps up with (the fields above: the 10,000/s phase). */
      latencyPhase?: BatchLatencyPhase;
    }
  | {
      workload: 'topics';
      target: string;
      servers: number;
      clients: number;
      publishesPerSec: number;
      deliveriesPerSec: number;
      cpuUsPerKDeliveries: number;
      /** Publish-to-read latency of cross-instance deliveries (all of them with one server). */
      p50Ms: number;
      p99Ms: number;
      missing: number;
      outOfOrder: number;
      dropped: number;
    }
  | {
      workload: 'scale';
      target: string;
      workers: number;
      connections: number;
      rssPerConn: number;
      heapPerConn: number;
      /** Kernel slab growth per connection (both ends), bytes; NaN when unreadable. */
      slabPerConn: number;
      connectsPerSec: number;
      /** Connect rates of the target and of raw, alternated under the same load; not for raw. */
      pairedConnect?: PairedConnectRates;
      heartbeats: ScaleHeartbeat[];
      /** Time for one event to reach every client: percentiles over clients and events. */
      reachP50Ms: number;
      reachP99Ms: number;
      reachMaxMs: number;
      missing: number;
    }
  | RunsSample;

/** What one reader saw when the producer died (or a reader arriving after it). */
export interface RunOutcome {
  outcome: 'sse-error' | 'ended' | 'http-error' | 'hang';
  afterMs: number;
  tokens: number;
  status: number;
  detail: string;
}

/** One repetition of the runs workload for one target (issue 11). */
export interface RunsSample {
  workload: 'runs';
  target: string;
  /** `private`: a redis-server of the workload's own; `shared`: SSE_REDIS_URL or :6379. */
  redis: 'private' | 'shared';
  tokens: number;
  readers: number;
  /** Tokens / time from the first token produced to the last one read by every reader. */
  oneReaderTokensPerSec: number;
  manyReadersTokensPerSec: number;
  /** Median over reconnects: ms from a reader's request to the first token it had missed. */
  resumeP50Ms: number;
  reconnects: number;
  /** Redis commands (every connection, inside scripts too) per token, 1 and `readers` readers. */
  commandsPerToken: number;
  commandsPerTokenMany: number;
  /** Calls per token by command, 1 reader (`xadd 1.00, publish 1.00, ...`). */
  commandMix: string;
  /** MEMORY USAGE of the run's keys after it ended, per 1,000 tokens. */
  redisBytesPer1000: number;
  death: RunOutcome;
  late: RunOutcome;
  missing: number;
  outOfOrder: number;
  duplicates: number;
  /** Reader requests answered other than 200 and tried again (theirs: a 1 s ack timeout). */
  refused: number;
}

/** A target that could not run (failed to load or crashed). */
export interface Failure {
  workload: string;
  target: string;
  error: string;
}

/**
 * The batch-delay workload's latency phase: `perSecond` events a second, each stamped with when
 * it was due on the schedule, so that a publisher behind schedule shows its lag as latency.
 */
export interface BatchLatencyPhase {
  perSecond: number;
  offered: number;
  /** Events published before the schedule ended: `offered` when the target kept up. */
  events: number;
  /** The publisher's worst lag behind the schedule (ms). */
  maxLagMs: number;
  /** Server CPU (user + system) per event sent, ms: what a starved server's lag comes from. */
  cpuMsPerEvent: number;
  /** Deliveries the percentiles are over (every delivery to the parsing connections). */
  latencySamples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  missing: number;
  outOfOrder: number;
  dropped: number;
}
