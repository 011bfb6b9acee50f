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
import { decodeEntries, eventsAfter, firstEntryId } from './entries';
import { topicBackplane } from './broker';
import type { RedisTopics } from './redis-topics';
import { RunCancels } from './run-cancels';
import {
  APPEND_MANY_SCRIPT,
  FINISH_SCRIPT,
  READ_PAGE,
  REAP_SCRIPT,
  RENEW_SCRIPT,
  START_SCRIPT,
} from './run-scripts';
import { packBatch } from './run-batch';
import { runKeys, topicKeys } from './topic-keys';

/** A run's stream is never trimmed by length: a run is finite, and expires with its `ttl`. */
const RUN_MAX_LEN = 100_000_000;
const DEFAULT_TTL_MS = 86_400_000;
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
    // One script per batch, one round trip: an XADD per entry of up to 128 events, one
    // PUBLISH, one PEXPIRE. The newest id appended, as a batch's ids are checked against it.
    let newest: string | undefined;
    backplane.appendMany = async (inputs) => {
      // A run gives every event its id: a batch has no `*` (one XADD cannot tell the next).
      const entries = packBatch(inputs, newest);
      if (entries.length === 0) return [];
      const args = [
        'EVAL',
        APPEND_MANY_SCRIPT,
        '1',
        keys.stream,
        String(options.ttlMs),
        this.topics.link.sharded ? 'SPUBLISH' : 'PUBLISH',
        keys.channel,
      ];
      for (const entry of entries) args.push(entry.id, String(entry.count), entry.packed);
      newest = entries.at(-1)!.id;
      await this.send(keys.stream, args);
      return inputs.map((input) => input.id!);
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
    // Read once this instance's live feed of the topic is subscribed, so nothing falls between
    // page and feed (while the feed catches up, if it just started); one round trip reads the
    // page and the newest id, which the feed must have delivered before the reader goes live
    // (or it could get an event twice).
    await this.topics.whenSubscribed(keys);
    const known = compareEventIds(lastEventId, '0-0') !== undefined;
    const start = known ? `(${lastEventId}` : '-';
    await this.topics.link.ready();
    const reply = await READ_PAGE.run(this.topics.link, [keys.stream], [start, String(limit)]);
    if (!Array.isArray(reply) || reply.length !== 3) {
      throw new SseError('ERR_SSE_BACKPLANE', 'unexpected reply from Redis to a run page read');
    }
    const [oldest, newest, entries] = reply as [unknown, unknown, unknown];
    const events = decodeEntries(entries);
    await this.topics.whenDelivered(keys, firstEntryId(newest));
    const oldestId = decodeEntries(oldest)[0]?.id ?? null;
    // An id before the run's first event, or of no run kept, is not of this run: a gap.
    const gap =
      lastEventId !== '0-0' &&
      (!known || oldestId === null || (compareEventIds(lastEventId, oldestId) ?? -1) < 0);
    return { events: known ? eventsAfter(events, lastEventId) : events, gap, oldestId };
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
