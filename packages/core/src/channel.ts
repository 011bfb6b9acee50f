import { memoryBackplane, type Backplane, type BackplaneEvent } from './backplane';
import type {
  Channel,
  ChannelCloseOptions,
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
import { Subscribers, type Subscriber } from './subscribers';

export type * from './channel-types';

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
  private readonly subscribers: Subscribers<Events>;
  private readonly cache: EventCache<Events>;
  private readonly batch: PublishBatch;
  private readonly stopListening: () => void;
  private isClosed = false;
  private published = 0;
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
    this.subscribers = new Subscribers(this.cache);
    this.gapEvent = options.gapEvent ?? 'sse-gap';
    if (this.gapEvent !== false) assertFieldValue('event', this.gapEvent);
    this.batch = new PublishBatch(batchDelay, (events, frames, joined) =>
      this.subscribers.write(events, frames, joined),
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
      return this.backplane.append(input).then((stored) => this.subscribers.paced(stored));
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
    writer?: FrameWriter,
    slot = 0,
  ): ReplayHandle | undefined {
    const subscriber = this.add(stream, filter, true, writer, slot);
    if (!subscriber) return undefined;
    return {
      gapEvent: this.gapEvent,
      read: () => this.readFrom(lastEventId),
      deliver: (event) =>
        !this.subscribers.has(subscriber) ||
        this.subscribers.deliver(subscriber, event, this.cache.frameOf(event)),
      takeQueued: () => {
        if (!this.subscribers.has(subscriber) || !subscriber.queue) return undefined;
        const queued = subscriber.queue;
        subscriber.queue = [];
        return queued;
      },
      goLive: (after) => {
        if (subscriber.queue && subscriber.queue.length > 0) return false;
        subscriber.queue = null;
        subscriber.after = after;
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
      delivered: this.subscribers.delivered,
      closedSlow: this.subscribers.closedSlow,
    };
  }

  close(options: ChannelCloseOptions = {}): void {
    if (this.isClosed) return;
    this.batch.flush();
    this.isClosed = true;
    this.stopListening();
    const retry = options.retry ?? DEFAULT_CLOSE_RETRY_MS;
    for (const stream of this.subscribers.takeStreams()) {
      stream.writeFrame(formatEvent({ retry: Math.round(retry * (0.5 + Math.random())) }));
      stream.close();
    }
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
    writer?: FrameWriter,
    slot = 0,
  ): Subscriber | undefined {
    if (this.isClosed) {
      throw new SseError('ERR_SSE_CHANNEL_CLOSED', 'subscribe() on a closed channel');
    }
    if (stream.closed) return undefined;
    // A subscriber receives what is published from now on, not what is still being written.
    this.batch.flush();
    return this.subscribers.add(stream, filter, queued, writer, slot);
  }

  private remove(subscriber: Subscriber): void {
    this.batch.flush();
    this.subscribers.remove(subscriber);
  }

  private fanOut(event: BackplaneEvent): void {
    this.fannedOut++;
    if (this.subscribers.size === 0) return;
    this.batch.add(event, this.cache.frameOf(event));
  }
}

function noop(): void {}
