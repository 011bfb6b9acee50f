import {
  compareEventIds,
  SseError,
  type BackplaneAppendInput,
  type BackplaneEvent,
  type BackplaneReadResult,
} from '@sse/core';
import { ignore } from './connection';
import { decodeEntries, eventsAfter, firstEntryId } from './entries';
import { historyGap } from './history-gap';
import { OutageReporter } from './outage';
import { createLink, type RedisLink, type RedisSource } from './redis-link';
import { APPEND_SCRIPT, READ_AFTER } from './scripts';
import { TopicFeed, type TopicKeys } from './topic-feed';

const CATCH_UP_TIMEOUT_MS = 5_000;
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2_000;

/** How one topic is stored: at most `maxLen` events, expiring `ttlMs` after a publish (0: never). */
export interface TopicLimits {
  readonly maxLen: number;
  readonly ttlMs: number;
}

/**
 * Topics on one Redis (or Cluster) through a fixed set of connections: appends and history
 * reads on the command connection, live events on one subscriber connection shared by every
 * topic this instance listens to (on a Cluster, node-redis's one per shard). An instance
 * subscribes only to the topics it has listeners for, so it does no work for the others.
 */
export class RedisTopics {
  readonly reporter = new OutageReporter();
  /** The connections, shared with the broker's runs (redis-runs.ts). */
  readonly link: RedisLink;
  private readonly feeds = new Map<string, TopicFeed>();
  // Appends waiting for the connection, chained so that they are sent in call order.
  private appendWait: Promise<void> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  // Counts lost subscriber connections: a read that began before the last one is not enough.
  private interruptions = 0;
  private readonly resubscribedListeners = new Set<() => void>();
  private closed = false;

  constructor(source: RedisSource) {
    this.link = createLink(source, this.reporter);
    this.link.onInterrupted = () => this.interrupted();
    this.link.onResubscribed = () => this.resync();
  }

  append(keys: TopicKeys, limits: TopicLimits, input: BackplaneAppendInput): Promise<string> {
    if (this.closed) return rejectClosed('append');
    const id = input.id ?? '*';
    if (id !== '*' && !isEventId(id)) {
      return Promise.reject(
        new SseError(
          'ERR_SSE_BACKPLANE',
          `a Redis backplane's event ids are stream ids (<ms>-<seq>), got ${JSON.stringify(id)}`,
        ),
      );
    }
    if (input.event?.includes('\n')) {
      return Promise.reject(
        new SseError('ERR_SSE_BACKPLANE', 'an event name cannot contain a line break'),
      );
    }
    const args = [
      'EVAL',
      APPEND_SCRIPT,
      '2',
      keys.stream,
      keys.trimmed,
      String(limits.maxLen),
      String(limits.ttlMs),
      this.link.sharded ? 'SPUBLISH' : 'PUBLISH',
      keys.channel,
      id,
      input.data,
      input.serialized ? '1' : '0',
    ];
    if (input.event !== undefined) args.push(input.event);
    const send = () => this.link.send(keys.stream, args);
    const wait = this.appendWait ?? this.link.ready();
    let sent: Promise<unknown>;
    if (wait) {
      this.appendWait = wait;
      sent = wait.then(send);
      void wait.then(() => {
        if (this.appendWait === wait) this.appendWait = undefined;
      });
    } else {
      sent = send();
    }
    return sent.then(String, (error: unknown) => {
      if (id !== '*' && /equal or smaller/.test(String(error))) {
        throw new SseError(
          'ERR_SSE_BACKPLANE',
          `event id ${id} is not after the newest id of stream ${keys.stream}: Redis stream ids only grow`,
        );
      }
      throw error;
    });
  }

  async readAfter(keys: TopicKeys, lastEventId: string): Promise<BackplaneReadResult> {
    if (this.closed) return rejectClosed('readAfter');
    // Live events are listened to before history is read: the read must come after the
    // subscription, or an event could fall between the two.
    const feed = this.feeds.get(keys.channel);
    if (feed) await withTimeout(feed.started, CATCH_UP_TIMEOUT_MS);
    // An id Redis cannot parse (too large, another shape) is unknown: everything kept is sent.
    const known = isEventId(lastEventId);
    await this.link.ready();
    const reply = await READ_AFTER.run(
      this.link,
      [keys.stream, keys.trimmed],
      [known ? `(${lastEventId}` : '-'],
    );
    if (!Array.isArray(reply) || reply.length !== 4) {
      throw new SseError('ERR_SSE_BACKPLANE', 'unexpected reply from Redis to a history read');
    }
    const [trimmed, oldest, newest, after] = reply as [unknown, unknown, unknown, unknown];
    const oldestId = decodeEntries(oldest)[0]?.id ?? null;
    const newestId = firstEntryId(newest);
    const events = known ? eventsAfter(decodeEntries(after), lastEventId) : decodeEntries(after);
    // Everything read here must have reached the live listeners first, or it could be
    // delivered again after the reader went live.
    if (feed && newestId !== undefined) await feed.reached(newestId, CATCH_UP_TIMEOUT_MS);
    const gap = historyGap(
      lastEventId,
      known,
      typeof trimmed === 'string' ? trimmed : null,
      oldestId,
    );
    return { events, gap, oldestId };
  }

  /**
   * Where a client that has seen nothing of the topic yet resumes from: the newest id, or
   * `0-0` (the start) while the topic has no stream, so that resuming from it reads every
   * later event and reports a gap only if some were trimmed or lost meanwhile.
   */
  async lastId(keys: TopicKeys): Promise<string> {
    if (this.closed) return rejectClosed('lastId');
    await this.link.ready();
    const newest = await this.link.send(keys.stream, [
      'XREVRANGE',
      keys.stream,
      '+',
      '-',
      'COUNT',
      '1',
    ]);
    return firstEntryId(newest) ?? '0-0';
  }

  /**
   * Resolves once this instance's live feed of the topic, if it has one, is subscribed: what
   * a stream read after that does not find is coming live. The feed may still be catching up
   * (its listeners then get some events of the read live too: `whenDelivered`).
   */
  async whenSubscribed(keys: TopicKeys): Promise<void> {
    const feed = this.feeds.get(keys.channel);
    if (feed) await withTimeout(feed.subscribing, CATCH_UP_TIMEOUT_MS);
  }

  /**
   * Resolves once the live feed of the topic has handed `id` to its listeners (at once without
   * a feed): what a read up to `id` returned cannot then arrive live after the reader went live.
   */
  async whenDelivered(keys: TopicKeys, id: string | undefined): Promise<void> {
    const feed = this.feeds.get(keys.channel);
    if (feed && id !== undefined) await feed.reached(id, CATCH_UP_TIMEOUT_MS);
  }

  listen(keys: TopicKeys, listener: (event: BackplaneEvent) => void): () => void {
    if (this.closed) return ignore;
    let feed = this.feeds.get(keys.channel);
    if (!feed) {
      feed = new TopicFeed(keys, this.reporter.report);
      this.feeds.set(keys.channel, feed);
      feed.started = this.start(feed);
    }
    const entry = (event: BackplaneEvent) => listener(event);
    feed.listeners.add(entry);
    const subscribed = feed;
    return () => {
      if (!subscribed.listeners.delete(entry) || subscribed.listeners.size > 0) return;
      this.drop(subscribed);
    };
  }

  /**
   * Calls `listener` each time a subscriber connection is back after losing its socket (what
   * was published meanwhile reached no one); returns what stops it.
   */
  onResubscribed(listener: () => void): () => void {
    const entry = () => listener();
    this.resubscribedListeners.add(entry);
    return () => void this.resubscribedListeners.delete(entry);
  }

  /** How many topics this instance listens to. */
  get listening(): number {
    return this.feeds.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    for (const feed of feeds) feed.close();
    // A Cluster client is the user's: its subscriptions must go. Our own connections just close.
    if (this.link.sharded) {
      await Promise.all(
        feeds.map((feed) => this.link.unsubscribe(feed.keys.channel, feed.onMessage).catch(ignore)),
      );
    }
    await this.link.close();
  }

  private drop(feed: TopicFeed): void {
    feed.close();
    if (this.feeds.get(feed.keys.channel) === feed) this.feeds.delete(feed.keys.channel);
    if (this.closed) return;
    // Also when the subscription is still on its way: node-redis sends the two in order.
    this.link.unsubscribe(feed.keys.channel, feed.onMessage).catch(ignore);
  }

  /**
   * Subscribes a feed, fixes where it starts (when it was asked for, on Redis's clock: TIME
   * minus the time since, so clock skew between hosts does not matter), then reads what was
   * published since: clients that subscribed while Redis was being reached miss nothing.
   */
  private start(feed: TopicFeed): Promise<void> {
    const subscribing = this.subscribe(feed);
    feed.subscribing = subscribing.then(ignore);
    return subscribing.then((subscribed) => (subscribed ? this.sync(feed) : undefined));
  }

  /** Subscribes a feed and fixes its cursor; `false` if it is closed or failed. */
  private async subscribe(feed: TopicFeed): Promise<boolean> {
    await this.link.ready();
    if (feed.closed) return false;
    feed.failed = false;
    try {
      const subscribing = this.link.subscribe(feed.keys.channel, feed.onMessage);
      const [time] = await Promise.all([this.link.send(feed.keys.stream, ['TIME']), subscribing]);
      // A millisecond before: reads start after the cursor, and an event of the very
      // millisecond it began to listen in can be `<ms>-0`.
      const listenedMs = redisTimeMs(time) - (Date.now() - feed.listenedAt);
      feed.cursor ??= `${Math.max(0, listenedMs - 1)}-0`;
      feed.subscribed = true;
      return true;
    } catch (error) {
      feed.catchUpFailed();
      this.failed(feed, error);
      return false;
    }
  }

  /** Reads the feed's stream after its cursor (one read at a time per feed). */
  private sync(feed: TopicFeed): Promise<void> {
    if (feed.syncing) {
      feed.syncAgain = true;
      return feed.syncing;
    }
    const run = async () => {
      do {
        feed.syncAgain = false;
        feed.hold();
        const interruptions = this.interruptions;
        try {
          const cursor = feed.cursor ?? '0-0';
          const reply = await this.link.send(feed.keys.stream, [
            'XRANGE',
            feed.keys.stream,
            `(${cursor}`,
            '+',
          ]);
          if (feed.closed) return;
          const events = eventsAfter(decodeEntries(reply), cursor);
          feed.caughtUp(events, interruptions === this.interruptions);
          this.failures = 0;
        } catch (error) {
          feed.catchUpFailed();
          this.failed(feed, error);
          return;
        }
      } while (feed.syncAgain && !feed.closed);
    };
    feed.syncing = run().finally(() => (feed.syncing = undefined));
    return feed.syncing;
  }

  /** Reported once per outage; retried after a pause, and when a connection comes back. */
  private failed(feed: TopicFeed, error: unknown): void {
    if (feed.closed || this.closed) return;
    feed.failed = true;
    this.reporter.report(error);
    if (this.retryTimer) return;
    const pause = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.failures++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryFailed();
    }, pause);
    // A retry pause never keeps the process alive.
    this.retryTimer.unref?.();
  }

  private retryFailed(): void {
    for (const feed of this.feeds.values()) {
      if (!feed.failed) continue;
      if (feed.subscribed) void this.sync(feed);
      else feed.started = this.start(feed);
    }
  }

  /**
   * A subscriber connection was lost: what is published until it is back reaches no one, so
   * live events are held back from the first one it gets again until the stream has been read
   * (else the cursor would move past the hole).
   */
  private interrupted(): void {
    this.interruptions++;
    for (const feed of this.feeds.values()) feed.hold();
  }

  /** A subscriber connection came back: what was published meanwhile is in the streams. */
  private resync(): void {
    if (this.closed) return;
    for (const feed of this.feeds.values()) {
      if (!feed.subscribed) {
        if (feed.failed) feed.started = this.start(feed);
      } else if (!this.link.sharded) {
        void this.sync(feed);
      } else {
        // node-redis may move a shard's subscriptions to a new connection after the one that
        // reports ready: subscribing again (a no-op when already done) resolves once it holds.
        this.link.subscribe(feed.keys.channel, feed.onMessage).then(
          () => this.sync(feed),
          (error: unknown) => this.failed(feed, error),
        );
      }
    }
    for (const listener of this.resubscribedListeners) listener();
  }
}

/** Whether `id` is `<ms>-<seq>` with numbers Redis (and JavaScript) can take. */
function isEventId(id: string): boolean {
  return compareEventIds(id, '0-0') !== undefined;
}

function rejectClosed(method: string): Promise<never> {
  return Promise.reject(new SseError('ERR_SSE_BACKPLANE', `${method}() after close()`));
}

/** Milliseconds of a `TIME` reply: `[seconds, microseconds]`. */
function redisTimeMs(reply: unknown): number {
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new SseError(
      'ERR_SSE_BACKPLANE',
      `unexpected reply from Redis to TIME: ${String(reply)}`,
    );
  }
  return Number(reply[0]) * 1000 + Math.floor(Number(reply[1]) / 1000);
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
