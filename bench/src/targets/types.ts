import type { BenchEvent } from '../payload';

/**
 * One server under test. Every target serves these routes on 127.0.0.1:
 * - `GET /events`: subscribes the client to the fan-out (every `broadcast` reaches it);
 * - `GET /single?n=N`: sends events 1..N to this one client, awaiting backpressure
 *   (`&turn=1`: and yielding a macrotask after each event, as events arriving from the network);
 * - `GET /channel-single?n=N` (ours and raw): publishes events 1..N through a channel of its own
 *   with this one subscriber, awaiting each `publish` (raw: writes awaiting `drain`).
 * Every event goes out with the JSON payload as `data:` (and `id:` where the target sets it).
 */
export interface BenchTarget {
  /** Starts listening; resolves with the port. */
  listen(backlog: number): Promise<number>;
  /** Sends one event to every subscriber of `/events`. */
  broadcast(event: BenchEvent): void;
  /** Subscribers of `/events` right now. */
  subscribers(): number;
  close(): Promise<void>;
}

/** Reads `n` from `/single?n=N`. */
export function singleCount(url: string | undefined): number {
  const match = /[?&]n=(\d+)/.exec(url ?? '');
  return match ? Number(match[1]) : 0;
}

/** `true` for `...&turn=1`: one event per macrotask. */
export function singlePerTurn(url: string | undefined): boolean {
  return /[?&]turn=1\b/.test(url ?? '');
}

/** Resolves on the next macrotask (after I/O), as the next event from the network would. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Our channels' options, from the orchestrator's environment: `BENCH_BATCH_DELAY` (ms) in the
 * batch-delay workload, nothing otherwise (defaults).
 */
export function channelOptions(): { batchDelay?: number } {
  const delay = Number(process.env.BENCH_BATCH_DELAY);
  return Number.isFinite(delay) && delay > 0 ? { batchDelay: delay } : {};
}

/**
 * Our streams' options, from the orchestrator's environment: `BENCH_HEARTBEAT_MS` in the scale
 * workload (the heartbeat interval measured), the default (15 s) otherwise.
 */
export function streamOptions(): { heartbeat?: number } {
  const heartbeat = heartbeatMs();
  return heartbeat ? { heartbeat } : {};
}

/** `BENCH_HEARTBEAT_MS`, or `undefined`. */
export function heartbeatMs(): number | undefined {
  const ms = Number(process.env.BENCH_HEARTBEAT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
