import {
  compareEventIds,
  SseError,
  type Backplane,
  type BackplaneReadResult,
  type BrokerRuns,
  type RunStartOptions,
  type RunState,
} from '@sse/core';
import { ignore } from './connection';
import { decodeEntries } from './entries';
import { topicBackplane } from './broker';
import type { RedisTopics } from './redis-topics';
import { RunCancels } from './run-cancels';
import {
  APPEND_MANY_SCRIPT,
  FINISH_SCRIPT,
  READ_PAGE_SCRIPT,
  REAP_SCRIPT,
  RENEW_SCRIPT,
  START_SCRIPT,
} from './run-scripts';
import { runKeys, topicKeys } from './topic-keys';

/** A run's stream is never trimmed by length: a run is finite, and expires with its `ttl`. */
const RUN_MAX_LEN = 100_000_000;
const DEFAULT_TTL_MS = 86_400_000;
/** An id after every id: reading after it reads nothing. */
const AFTER_EVERYTHING = `${Number.MAX_SAFE_INTEGER}-0`;
/** How often an instance with readers of a running run checks its producer's lease. */
const WATCH_MS = 1000;
/** The `sse-error` data of a run whose producer died. */
const PRODUCER_DIED = JSON.stringify({ message: 'the run stopped: its producer is gone' });

/**
 * Runs on Redis: a run's state in a hash next to its stream (`<stream>:run`, the same hash
 * tag, so one Cluster slot), cancels recorded in it and published on a channel next to its
 * live channel (`<stream>:cancel`, run-cancels.ts), on the broker's connections. A run's
 * stream is not trimmed to `maxLen` and expires `ttl` after its last append.
 */
export class RedisRuns implements BrokerRuns {
  /** Runs this instance produces: their ttl, and the timer renewing their lease. */
  private readonly producing = new Map<
    string,
    { ttlMs: number; renew: ReturnType<typeof setInterval> }
  >();
  /** Runs this instance has readers of: one check of their producer's lease for all. */
  private readonly watched = new Map<
    string,
    { readers: number; timer: ReturnType<typeof setInterval> }
  >();

  private readonly cancels: RunCancels;

  constructor(
    private readonly topics: RedisTopics,
    private readonly prefix: string,
  ) {
    this.cancels = new RunCancels(topics, prefix);
  }

  backplane(topic: string, options: RunStartOptions): Backplane {
    const keys = topicKeys(this.prefix, topic);
    const backplane = topicBackplane(this.topics, keys, {
      maxLen: RUN_MAX_LEN,
      ttlMs: options.ttlMs,
    });
    // One script per batch: two commands per event (XADD, PUBLISH) and one round trip.
    backplane.appendMany = async (inputs) => {
      const args = [
        'EVAL',
        APPEND_MANY_SCRIPT,
        '1',
        keys.stream,
        String(options.ttlMs),
        this.topics.link.sharded ? 'SPUBLISH' : 'PUBLISH',
        keys.channel,
      ];
      const ids: string[] = [];
      for (const input of inputs) {
        const id = input.id;
        // A run gives every event its id: a batch has no `*` (one XADD cannot tell the next).
        if (id === undefined) {
          throw new SseError('ERR_SSE_BACKPLANE', 'appendMany() takes events with their ids');
        }
        ids.push(id);
        args.push(id, input.data, input.serialized ? '1' : '0', input.event ?? '');
      }
      await this.send(keys.stream, args);
      return ids;
    };
    return backplane;
  }

  async start(topic: string, options: RunStartOptions): Promise<void> {
    const keys = this.keys(topic);
    const { stream, trimmed, run, lease } = keys;
    const leaseMs = String(options.leaseMs);
    this.stopRenewing(topic);
    const renew = setInterval(() => {
      this.send(stream, ['EVAL', RENEW_SCRIPT, '2', run, lease, leaseMs]).then((reply) => {
        // Cancelled: heard here when the published cancel did not reach this instance.
        if (reply === 2) this.cancels.heard(topic);
      }, ignore);
    }, options.leaseMs / 3);
    // The lease never keeps a process alive; a producer that stops renewing is presumed dead.
    renew.unref?.();
    this.producing.set(topic, { ttlMs: options.ttlMs, renew });
    const ttlMs = String(options.ttlMs);
    await this.send(stream, [
      'EVAL',
      START_SCRIPT,
      '4',
      stream,
      trimmed,
      run,
      lease,
      ttlMs,
      leaseMs,
    ]);
  }

  async finish(topic: string, state: RunState): Promise<void> {
    const keys = this.keys(topic);
    const ttlMs = this.producing.get(topic)?.ttlMs ?? DEFAULT_TTL_MS;
    this.stopRenewing(topic);
    await this.send(keys.stream, [
      'EVAL',
      FINISH_SCRIPT,
      '2',
      keys.run,
      keys.lease,
      state.status,
      state.finalId ?? '',
      String(ttlMs),
    ]);
  }

  watch(topic: string): () => void {
    let watched = this.watched.get(topic);
    if (!watched) {
      const timer = setInterval(() => void this.reap(topic).catch(() => undefined), WATCH_MS);
      timer.unref?.();
      watched = { readers: 0, timer };
      this.watched.set(topic, watched);
    }
    watched.readers++;
    const entry = watched;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--entry.readers > 0) return;
      clearInterval(entry.timer);
      if (this.watched.get(topic) === entry) this.watched.delete(topic);
    };
  }

  /** Stops every renewal and watch of this instance (the broker closes). */
  stop(): void {
    for (const topic of [...this.producing.keys()]) this.stopRenewing(topic);
    for (const { timer } of this.watched.values()) clearInterval(timer);
    this.watched.clear();
    this.cancels.stop();
  }

  async readAfter(topic: string, lastEventId: string, limit: number): Promise<BackplaneReadResult> {
    const keys = this.keys(topic);
    // The topic's own read of nothing: it returns once this instance's live feed of the topic
    // is subscribed and has delivered every stored event, so none falls between page and feed.
    await this.topics.readAfter(keys, AFTER_EVERYTHING);
    const known = compareEventIds(lastEventId, '0-0') !== undefined;
    const start = known ? `(${lastEventId}` : '-';
    const reply = await this.send(keys.stream, [
      'EVAL',
      READ_PAGE_SCRIPT,
      '1',
      keys.stream,
      start,
      String(limit),
    ]);
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new SseError('ERR_SSE_BACKPLANE', 'unexpected reply from Redis to a run page read');
    }
    const oldestId = decodeEntries(reply[0])[0]?.id ?? null;
    // An id before the run's first event, or of no run kept, is not of this run: a gap.
    const gap =
      lastEventId !== '0-0' &&
      (!known || oldestId === null || (compareEventIds(lastEventId, oldestId) ?? -1) < 0);
    return { events: decodeEntries(reply[1]), gap, oldestId };
  }

  async state(topic: string): Promise<RunState | undefined> {
    const keys = this.keys(topic);
    const reply = (await this.send(keys.stream, ['HMGET', keys.run, 'status', 'finalId'])) as [
      string | null,
      string | null,
    ];
    const [status, finalId] = reply;
    if (status !== 'running' && status !== 'ended' && status !== 'failed') return undefined;
    return { status, finalId: finalId || undefined };
  }

  cancel(topic: string): Promise<void> {
    return this.cancels.cancel(topic);
  }

  onCancel(topic: string, listener: () => void): () => void {
    return this.cancels.onCancel(topic, listener);
  }

  /** Fails the run if its producer's lease passed (any instance may; the first one does). */
  private async reap(topic: string): Promise<void> {
    const keys = this.keys(topic);
    const reaped = await this.send(keys.stream, [
      'EVAL',
      REAP_SCRIPT,
      '3',
      keys.stream,
      keys.run,
      keys.lease,
      this.topics.link.sharded ? 'SPUBLISH' : 'PUBLISH',
      keys.channel,
      PRODUCER_DIED,
    ]);
    if (reaped !== null) this.watched.delete(topic);
  }

  private stopRenewing(topic: string): void {
    clearInterval(this.producing.get(topic)?.renew);
    this.producing.delete(topic);
  }

  private keys(topic: string) {
    return runKeys(this.prefix, topic);
  }

  private async send(key: string, args: string[]): Promise<unknown> {
    await this.topics.link.ready();
    return this.topics.link.send(key, args);
  }
}
