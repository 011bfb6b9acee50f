import { memoryBackplane, type Backplane, type BackplaneEvent } from './backplane';
import type {
  Channel,
  ChannelCloseOptions,
  ChannelEvent,
  ChannelOptions,
  ChannelPublishOptions,
  ChannelStats,
  ChannelSubscribeOptions,
  SseEventMap,
  SseEventName,
} from './channel-types';
import { rejected, SseError } from './errors';
import { EventCache } from './event-cache';
import { assertFieldValue, formatEvent, serializeData, type SseSerializer } from './framing';
import { PublishBatch } from './publish-batch';
import {
  cursorFrame,
  openReplay,
  readCursor,
  replayInOrder,
  subscribeLive,
  type FrameWriter,
  type ReplayHandle,
  type ReplaySource,
} from './replay';
import type { SseStream } from './stream';

export type * from './channel-types';

interface Subscriber {
  readonly stream: SseStream<object>;
  readonly filter: ((event: never) => boolean) | undefined;
  /** Writes each event in place of `stream.writeFrame` (a hub's topics cursor). */
  readonly write: FrameWriter | undefined;
  /** Live events held back while history is replayed; `null` once live. */
  queue: BackplaneEvent[] | null;
  /** Stops watching the stream for its close. */
  unwatch: () => void;
}

const DEFAULT_CLOSE_RETRY_MS = 1000;

/** Creates a channel. `Events` types `publish` and subscriber filters. */
export function createChannel<Events extends object = SseEventMap>(
  options: ChannelOptions = {},
): Channel<Events> {
  return new ChannelImpl<Events>(options);
}

class ChannelImpl<Events extends object> implements Channel<Events>, ReplaySource {
  private readonly backplane: Backplane;
  private readonly serialize: SseSerializer | undefined;
  private readonly gapEvent: string | false;
  private readonly subscribers = new Set<Subscriber>();
  private readonly cache: EventCache<Events>;
  private readonly batch: PublishBatch;
  private readonly stopListening: () => void;
  /** Subscribers a write left over their budget: `publish` waits for them (pacing). */
  private readonly lagging = new Set<SseStream<object>>();
  private isClosed = false;
  private published = 0;
  private delivered = 0;
  private closedSlow = 0;
  /** Events fanned out so far: tells whether a subscriber got one before its cursor was read. */
  private fannedOut = 0;

  constructor(options: ChannelOptions) {
    const batchDelay = options.batchDelay ?? 0;
    if (!(Number.isFinite(batchDelay) && batchDelay >= 0)) {
      throw new SseError(
        'ERR_SSE_OPTIONS',
        `batchDelay must be a non-negative number of milliseconds, got ${String(batchDelay)}`,
      );
    }
    this.backplane = options.backplane ?? memoryBackplane({ history: options.history });
    this.serialize = options.serialize;
    this.cache = new EventCache(options.deserialize ?? ((text) => JSON.parse(text) as unknown));
    this.gapEvent = options.gapEvent ?? 'sse-gap';
    if (this.gapEvent !== false) assertFieldValue('event', this.gapEvent);
    this.batch = new PublishBatch(batchDelay, (events, frames, joined) =>
      this.write(events, frames, joined),
    );
    this.stopListening = this.backplane.listen((event) => this.fanOut(event));
  }

  get size(): number {
    return this.subscribers.size;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  publish<Name extends SseEventName<Events> = 'message' & SseEventName<Events>>(
    data: Events[Name],
    options?: ChannelPublishOptions<Name>,
  ): Promise<string> {
    try {
      if (this.isClosed)
        throw new SseError('ERR_SSE_CHANNEL_CLOSED', 'publish() on a closed channel');
      const event = options?.event;
      const id = options?.id;
      if (event !== undefined) assertFieldValue('event', event);
      if (id !== undefined) assertFieldValue('id', id);
      const text = serializeData(data, this.serialize);
      this.published++;
      const input = { event, id, data: text, serialized: typeof data !== 'string' };
      return this.backplane.append(input).then((stored) => this.paced(stored));
    } catch (error) {
      return rejected(error);
    }
  }

  subscribe(stream: SseStream<object>, options: ChannelSubscribeOptions<Events> = {}): () => void {
    const lastEventId = 'lastEventId' in options ? options.lastEventId : stream.lastEventId;
    if (lastEventId === undefined) {
      const subscriber = this.add(stream, options.filter, false);
      if (!subscriber) return noop;
      this.sendCursor(stream);
      return () => this.remove(subscriber);
    }
    const handle = this[openReplay](stream, lastEventId, options.filter);
    if (!handle) return noop;
    void replayInOrder(stream, lastEventId, [handle]);
    return handle.unsubscribe;
  }

  /** @internal Subscribes `stream` with live events held back, for `subscribeAll`. */
  [openReplay](
    stream: SseStream<object>,
    lastEventId: string | undefined,
    filter?: Subscriber['filter'],
    write?: FrameWriter,
  ): ReplayHandle | undefined {
    const subscriber = this.add(stream, filter, true, write);
    if (!subscriber) return undefined;
    return {
      gapEvent: this.gapEvent,
      read: () => this.readFrom(lastEventId),
      deliver: (event) =>
        !this.subscribers.has(subscriber) ||
        this.deliver(subscriber, event, this.cache.frameOf(event)),
      takeQueued: () => {
        if (!this.subscribers.has(subscriber) || !subscriber.queue) return undefined;
        const queued = subscriber.queue;
        subscriber.queue = [];
        return queued;
      },
      goLive: () => {
        if (subscriber.queue && subscriber.queue.length > 0) return false;
        subscriber.queue = null;
        return true;
      },
      unsubscribe: () => this.remove(subscriber),
    };
  }

  /** @internal For `subscribeAll`, which sends one cursor for the whole list. */
  [subscribeLive](stream: SseStream<object>): () => void {
    const subscriber = this.add(stream, undefined, false);
    return subscriber ? () => this.remove(subscriber) : noop;
  }

  /** @internal */
  [readCursor](): string | null | Promise<string | null> {
    return this.backplane.lastId?.() ?? null;
  }

  stats(): ChannelStats {
    this.batch.flush();
    return {
      subscribers: this.subscribers.size,
      published: this.published,
      delivered: this.delivered,
      closedSlow: this.closedSlow,
    };
  }

  close(options: ChannelCloseOptions = {}): void {
    if (this.isClosed) return;
    this.batch.flush();
    this.isClosed = true;
    this.stopListening();
    const retry = options.retry ?? DEFAULT_CLOSE_RETRY_MS;
    for (const { stream } of this.subscribers) {
      stream.writeFrame(formatEvent({ retry: Math.round(retry * (0.5 + Math.random())) }));
      stream.close();
    }
    this.subscribers.clear();
  }

  /**
   * Gives a new live subscriber the channel's position as its last event id, so that it
   * resumes (or is told of a gap) if it reconnects before an event reaches it.
   */
  private sendCursor(stream: SseStream<object>): void {
    const cursor = this[readCursor]();
    if (typeof cursor === 'string') {
      stream.writeFrame(cursorFrame(cursor));
    } else if (cursor !== null) {
      const before = this.fannedOut;
      cursor.then(
        (id) => {
          // An event that reached it meanwhile gave it a position already.
          if (id !== null && this.fannedOut === before) stream.writeFrame(cursorFrame(id));
        },
        () => undefined,
      );
    }
  }

  /** Resolves with `id` once no subscriber this publish reached is over its budget. */
  private paced(id: string): string | Promise<string> {
    if (this.lagging.size === 0) return id;
    const waits: Promise<void>[] = [];
    for (const stream of this.lagging) {
      if (stream.overBudget) waits.push(stream.withinBudget());
      else this.lagging.delete(stream);
    }
    return waits.length === 0 ? id : Promise.all(waits).then(() => id);
  }

  /** The history after `lastEventId`, or, without one, nothing after the current position. */
  private async readFrom(lastEventId: string | undefined) {
    if (lastEventId !== undefined) {
      return { ...(await this.backplane.readAfter(lastEventId)), from: lastEventId };
    }
    const from = (await this[readCursor]()) ?? undefined;
    return { events: [], gap: false, oldestId: null, from };
  }

  private add(
    stream: SseStream<object>,
    filter: Subscriber['filter'],
    queued: boolean,
    write?: FrameWriter,
  ): Subscriber | undefined {
    if (this.isClosed) {
      throw new SseError('ERR_SSE_CHANNEL_CLOSED', 'subscribe() on a closed channel');
    }
    if (stream.closed) return undefined;
    // A subscriber receives what is published from now on, not what is still being written.
    this.batch.flush();
    const subscriber: Subscriber = {
      stream,
      filter,
      write,
      queue: queued ? [] : null,
      unwatch: noop,
    };
    this.subscribers.add(subscriber);
    subscriber.unwatch = stream.onClose((reason) => {
      if (reason === 'slow') this.closedSlow++;
      this.subscribers.delete(subscriber);
      this.lagging.delete(stream);
    });
    return subscriber;
  }

  private remove(subscriber: Subscriber): void {
    this.batch.flush();
    subscriber.unwatch();
    this.subscribers.delete(subscriber);
    this.lagging.delete(subscriber.stream);
  }

  private fanOut(event: BackplaneEvent): void {
    this.fannedOut++;
    if (this.subscribers.size === 0) return;
    this.batch.add(event, this.cache.frameOf(event));
  }

  /** Writes a batch of events: the frames joined once, one write per subscriber. */
  private write(
    events: readonly BackplaneEvent[],
    frames: readonly Uint8Array[],
    joined: Uint8Array,
  ): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.queue) {
        for (const event of events) subscriber.queue.push(event);
      } else if (subscriber.filter || subscriber.write) {
        for (let i = 0; i < events.length; i++) this.deliver(subscriber, events[i]!, frames[i]!);
      } else {
        const { stream } = subscriber;
        if (stream.closed) continue;
        this.delivered += events.length;
        if (!stream.writeFrame(joined) && stream.overBudget) this.lagging.add(stream);
      }
    }
  }

  /**
   * Writes one event to one subscriber; `false` when its client is behind. A filter that
   * throws closes that subscriber's stream with the error (reason `"error"`), never the others.
   */
  private deliver(subscriber: Subscriber, event: BackplaneEvent, frame: Uint8Array): boolean {
    const { stream, filter } = subscriber;
    if (stream.closed) return false;
    if (filter) {
      let wanted: boolean;
      try {
        wanted = (filter as (e: ChannelEvent<Events>) => boolean)(this.cache.viewOf(event));
      } catch (error) {
        stream.fail(error);
        return false;
      }
      if (!wanted) return true;
    }
    this.delivered++;
    if (subscriber.write ? subscriber.write(event, frame) : stream.writeFrame(frame)) return true;
    if (stream.overBudget) this.lagging.add(stream);
    return false;
  }
}

function noop(): void {}
