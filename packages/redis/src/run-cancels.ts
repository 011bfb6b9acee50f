import { ignore, type RedisMessageListener } from './connection';
import type { RedisTopics } from './redis-topics';
import { CANCEL_SCRIPT } from './run-scripts';
import { runKeys } from './topic-keys';

/**
 * Cancels of runs on Redis. A cancel is recorded in the run's state hash (only while the run
 * is running) and published on `<stream>:cancel` for promptness. Pub/sub keeps nothing, so a
 * producer whose subscriber connection was down at that moment finds the record instead: when
 * it renews its lease (`heard`, every third of `lease`) and as soon as its subscriber
 * connection is back.
 */
export class RunCancels {
  /** The listeners of each run this instance listens for cancels of. */
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly stopRecheck: () => void;

  constructor(
    private readonly topics: RedisTopics,
    private readonly prefix: string,
  ) {
    this.stopRecheck = topics.onResubscribed(() => this.recheck());
  }

  /** Records and publishes a cancel; a run that is not running is left alone. */
  async cancel(topic: string): Promise<void> {
    const { stream, run, cancel } = runKeys(this.prefix, topic);
    const publish = this.topics.link.sharded ? 'SPUBLISH' : 'PUBLISH';
    await this.send(stream, ['EVAL', CANCEL_SCRIPT, '1', run, publish, cancel]);
  }

  /** Calls `listener` once when the run is cancelled; returns what stops it. */
  onCancel(topic: string, listener: () => void): () => void {
    const { cancel } = runKeys(this.prefix, topic);
    const link = this.topics.link;
    let heard = false;
    const hear = () => {
      if (heard) return;
      heard = true;
      listener();
    };
    let listeners = this.listeners.get(topic);
    if (!listeners) this.listeners.set(topic, (listeners = new Set()));
    listeners.add(hear);
    const entry: RedisMessageListener = () => hear();
    // A subscription that fails is reported by the link (onError); the record still reaches.
    link.subscribe(cancel, entry).catch(ignore);
    const own = listeners;
    return () => {
      own.delete(hear);
      if (own.size === 0 && this.listeners.get(topic) === own) this.listeners.delete(topic);
      link.unsubscribe(cancel, entry).catch(ignore);
    };
  }

  /** The run was found cancelled in Redis (by its lease renewal): its listeners hear it. */
  heard(topic: string): void {
    for (const hear of [...(this.listeners.get(topic) ?? [])]) hear();
  }

  stop(): void {
    this.stopRecheck();
    this.listeners.clear();
  }

  /** A subscriber connection is back: a cancel published while it was away is in the hash. */
  private recheck(): void {
    for (const topic of this.listeners.keys()) {
      const { stream, run } = runKeys(this.prefix, topic);
      // The status too: a hash still of a cancelled earlier run of the name is no cancel.
      this.send(stream, ['HMGET', run, 'status', 'cancelled']).then((reply) => {
        const [status, cancelled] = reply as [string | null, string | null];
        if (status === 'running' && cancelled !== null) this.heard(topic);
      }, ignore);
    }
  }

  private async send(key: string, args: string[]): Promise<unknown> {
    await this.topics.link.ready();
    return this.topics.link.send(key, args);
  }
}
