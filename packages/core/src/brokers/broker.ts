import type { Backplane, BackplaneReadResult } from '../backplane';

/**
 * The store and transport of many named topics: each topic gets a `Backplane` that shares the
 * broker's resources (one set of connections, one timer). `memoryBroker` serves one process;
 * `@sse/redis`'s `redisBroker` serves many instances.
 */
export interface Broker {
  /**
   * The backplane of `topic`. Its `close()` only stops this instance listening to the topic;
   * the topic's history stays in the broker until its `ttl` passes.
   */
  backplane(topic: string): Backplane;
  /**
   * Where runs (`hub.run`) keep their state and hear of cancels. Optional: without it a hub
   * keeps run state in its own process, and `hub.cancel` reaches runs of that process only.
   */
  readonly runs?: BrokerRuns;
  /** Releases the broker's connections and timers. */
  close(): Promise<void>;
}

/** Where a run is: `"unknown"` for a name that never ran, or whose `ttl` passed. */
export type RunStatus = 'running' | 'ended' | 'failed' | 'unknown';

/** What a broker knows of a run. */
export interface RunState {
  readonly status: Exclude<RunStatus, 'unknown'>;
  /** The id of the final event (`sse-end` / `sse-error`), once the run ended or failed. */
  readonly finalId?: string | undefined;
}

/** Options a run is started with, resolved. */
export interface RunStartOptions {
  /** Milliseconds its history and state are kept after its last write. */
  readonly ttlMs: number;
  /** Milliseconds after which a producer that stopped renewing is presumed dead. */
  readonly leaseMs: number;
}

/** The run state and cancel channel of a broker (see `Broker.runs`). */
export interface BrokerRuns {
  /**
   * Marks `topic` as a run in progress. Its history is kept whole (not trimmed to the broker's
   * `history`/`maxLen`) until `ttlMs` after its last write; a previous run of the name is gone.
   */
  start(topic: string, options: RunStartOptions): void | Promise<void>;
  /**
   * The backplane the run's producer appends through, when the topic's own (`backplane(topic)`)
   * would trim the run to the broker's `history`/`maxLen`. Optional.
   */
  backplane?(topic: string, options: RunStartOptions): Backplane;
  /**
   * Reads a run's events after `lastEventId`, at most `limit` of them: readers replay a run in
   * pages through it when the topic's own `readAfter` would read it whole. Optional.
   */
  readAfter?(topic: string, lastEventId: string, limit: number): Promise<BackplaneReadResult>;
  /** Records the end of a run: its status and the id of its final event. */
  finish(topic: string, state: RunState): void | Promise<void>;
  /** What is known of the run; `undefined` when nothing. At once when the broker can tell. */
  state(topic: string): RunState | undefined | Promise<RunState | undefined>;
  /**
   * Called while this instance has readers of a running run (the returned function stops it):
   * a broker that can tell a producer died (its lease passed) fails the run for every reader,
   * appending `sse-error`. Optional.
   */
  watch?(topic: string): () => void;
  /** Tells the run's producer, on whichever instance, to stop (its `signal` aborts). */
  cancel(topic: string): void | Promise<void>;
  /** Calls `listener` when the run is cancelled on any instance; returns what stops it. */
  onCancel(topic: string, listener: () => void): () => void;
}
