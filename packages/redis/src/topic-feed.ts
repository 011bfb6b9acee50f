import { compareEventIds, type BackplaneEvent } from '@sse/core';
import type { RedisMessageListener } from './connection';
import { decodeMessage } from './entries';

/** The names of one topic in Redis: its stream, its trimmed mark, its live channel. */
export interface TopicKeys {
  readonly stream: string;
  readonly trimmed: string;
  readonly channel: string;
}

type Listener = (event: BackplaneEvent) => void;

/** How many live events a feed holds at most while it fails to catch up. */
const MAX_HELD = 10_000;

/**
 * The live events of one topic on this instance: its channel's messages handed to listeners in
 * order, with the stream read after every (re)subscription so that nothing published while the
 * subscription was being set up, or while Redis was away, is missed, and nothing twice.
 */
export class TopicFeed {
  readonly listeners = new Set<Listener>();
  /** The newest id handed to listeners, or where the feed starts from. */
  cursor: string | undefined;
  /** The subscription is acknowledged: every message published since reaches `receive`. */
  subscribed = false;
  /** Stopped: no listener is left. */
  closed = false;
  /** Settles once subscribed and caught up the first time (or failed trying). */
  started: Promise<void> = Promise.resolve();
  /** Settles once subscribed, before catching up (or failed trying). */
  subscribing: Promise<void> = Promise.resolve();
  /** A stream read in progress, and whether another one is wanted after it. */
  syncing: Promise<void> | undefined;
  syncAgain = false;
  /** Set when a subscription or a read failed: retried when Redis is back. */
  failed = false;
  /**
   * Live events held back while the stream is read; from the start too: a live event
   * delivered before the first read would move the cursor past what that read must find.
   */
  private held: BackplaneEvent[] | null = [];
  /** Ids stream reads handed over that may still arrive live. */
  private recent: Set<string> | null = null;
  private readonly waiters = new Set<{ id: string; resolve: () => void }>();
  readonly listenedAt = Date.now();
  readonly onMessage: RedisMessageListener = (message) => this.receive(message);

  constructor(
    readonly keys: TopicKeys,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Holds live events back until `caughtUp` (a stream read is starting). */
  hold(): void {
    this.held ??= [];
  }

  /**
   * The events a stream read found after `cursor`, then the live ones held meanwhile (unless
   * `release` is false: the subscription was interrupted again, another read will follow).
   */
  caughtUp(events: readonly BackplaneEvent[], release: boolean): void {
    for (const event of events) this.deliver(event);
    // What a read handed over may still arrive live, now held or later: it is skipped then.
    // Kept across reads: a second read (a Cluster node's connection came up) can find nothing
    // new while the live copy of what the first one found is still on its way.
    if (events.length > 0) {
      this.recent ??= new Set();
      for (const event of events) this.recent.add(event.id);
    }
    if (release) this.release();
  }

  /**
   * Subscribing or a stream read failed: the live events stay held for the retry, which reads
   * from `cursor` (letting them through would move it past what the read was to find). Past
   * `MAX_HELD` they go through: memory stays bounded while Redis answers no read.
   */
  catchUpFailed(): void {
    if (this.held && this.held.length > MAX_HELD) this.release();
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const event of held) this.accept(event);
  }

  /** Resolves once `id` has been handed to listeners, or after `timeoutMs`. */
  reached(id: string, timeoutMs: number): Promise<void> {
    if (this.closed || !this.subscribed || this.isPast(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { id, resolve: () => done() };
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  /** Stops delivering, and lets every waiter go. */
  close(): void {
    this.closed = true;
    this.held = null;
    for (const waiter of this.waiters) waiter.resolve();
  }

  private receive(message: string): void {
    if (this.closed) return;
    let events: BackplaneEvent[];
    try {
      events = decodeMessage(message);
    } catch (error) {
      this.onError(error);
      return;
    }
    for (const event of events) {
      if (this.held) this.held.push(event);
      else this.accept(event);
    }
  }

  private accept(event: BackplaneEvent): void {
    if (this.recent) {
      // Already handed over by the stream read.
      if (this.recent.delete(event.id)) return;
      // Live order is publish order: the rest of the read's events are not coming live.
      this.recent = null;
    }
    this.deliver(event);
  }

  private deliver(event: BackplaneEvent): void {
    this.cursor = event.id;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onError(error);
      }
    }
    for (const waiter of this.waiters) if (this.isPast(waiter.id)) waiter.resolve();
  }

  private isPast(id: string): boolean {
    return this.cursor !== undefined && (compareEventIds(this.cursor, id) ?? 1) >= 0;
  }
}
