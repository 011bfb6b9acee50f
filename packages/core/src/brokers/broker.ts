import type { Backplane } from '../backplane';

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
  /** Releases the broker's connections and timers. */
  close(): Promise<void>;
}
