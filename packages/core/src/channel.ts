import { memoryBackplane, type Backplane, type BackplaneEvent } from './backplane';
import { concatBytes, encodeText } from './bytes';
import { rejected, SseError } from './errors';
import { closeBatch, openBatch, type FanOutBatch } from './fan-out-batch';
import { assertFieldValue, formatEvent, serializeData, type SseSerializer } from './framing';
import { openReplay, type ReplayHandle, type ReplaySource } from './replay-handle';
import { replayInOrder } from './replay';
import type { SseStream } from './stream';

/**
 * Maps each event name of a channel to the type of its payload. `message` is the unnamed event.
 * This is the default (anything goes); a channel accepts any object type as its map, including
 * an `interface`, which has no index signature.
 */
export type SseEventMap = Record<string, unknown>;

/** The event names of a map. */
export type SseEventName<Events extends object> = Extract<keyof Events, string>;

/** An event as a subscriber's `filter` sees it: name, id and decoded payload, typed by the map. */
export type ChannelEvent<Events extends object> = {
  [Name in SseEventName<Events>]: { id: string; event: Name; data: Events[Name] };
}[SseEventName<Events>];

/** Options of `createChannel`. */
export interface ChannelOptions {
  /**
   * Events kept for replay by the default in-memory backplane (ignored with `backplane`).
   * @default 1000
   */
  history?: number;
  /** Where events are stored and shared; `memoryBackplane({ history })` by default. */
  backplane?: Backplane;
  /** Turns non-string payloads into text, once per event. @default JSON.stringify */
  serialize?: SseSerializer;
  /** Turns serialized payloads back into values for `filter`s. @default JSON.parse */
  deserialize?: (text: string) => unknown;
  /**
   * Name of the event sent first to a client whose `lastEventId` is older than the history
   * (or unknown), with `{ lastEventId, oldestId }`; `false` sends nothing.
   * @default "sse-gap"
   */
  gapEvent?: string | false;
}

/** Options of `Channel.publish`. */
export interface ChannelPublishOptions<Name extends string> {
  /** The event name; omitted means `message`. */
  event?: Name;
  /**
   * The event id; the backplane assigns one when omitted (`memoryBackplane`: `<ms>-<seq>`,
   * increasing across every channel of the process). A client resuming after an id of your own
   * is replayed from it only while that event is still in the history; otherwise it gets the
   * gap event.
   */
  id?: string;
}

/** Options of `Channel.subscribe`. */
export interface ChannelSubscribeOptions<Events extends object> {
  /** Replay what came after this id; defaults to the stream's `lastEventId`. */
  lastEventId?: string | undefined;
  /** Delivers only the events for which it returns `true`. */
  filter?: (event: ChannelEvent<Events>) => boolean;
}

/** Counters of a channel since it was created. */
export interface ChannelStats {
  /** Streams subscribed now. */
  subscribers: number;
  /** Events published through this channel instance. */
  published: number;
  /** Frames written to subscribers (live and replayed). */
  delivered: number;
  /** Subscribers closed because they fell `maxBufferedBytes` behind. */
  closedSlow: number;
}

/** Options of `Channel.close`. */
export interface ChannelCloseOptions {
  /**
   * Base reconnection delay (ms) sent to each subscriber before its stream ends; each gets a
   * random value between half and one and a half times it, so reconnects spread out.
   * @default 1000
   */
  retry?: number;
}

/** Fans events out to many streams, with history for replay after reconnects. */
export interface Channel<Events extends object = SseEventMap> {
  /**
   * Publishes an event to every subscriber (of every instance sharing the backplane).
   * The payload is serialized once. Resolves with the event's id.
   */
  publish<Name extends SseEventName<Events> = 'message' & SseEventName<Events>>(
    data: Events[Name],
    options?: ChannelPublishOptions<Name>,
  ): Promise<string>;
  /**
   * Sends `stream` the events after its last id, then every live event, with no gap and no
   * duplicate in between. Unsubscribes itself when the stream closes; returns the function
   * that unsubscribes early.
   */
  subscribe(stream: SseStream<object>, options?: ChannelSubscribeOptions<Events>): () => void;
  /** The number of subscribed streams. */
  readonly size: number;
  /** `true` after `close()`. */
  readonly closed: boolean;
  stats(): ChannelStats;
  /** Closes every subscriber (reason `"server"`) after sending each a jittered `retry:`. */
  close(options?: ChannelCloseOptions): void;
}

interface Subscriber {
  readonly stream: SseStream<object>;
  readonly filter: ((event: never) => boolean) | undefined;
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

class ChannelImpl<Events extends object> implements Channel<Events>, FanOutBatch, ReplaySource {
  private readonly backplane: Backplane;
  private readonly serialize: SseSerializer | undefined;
  private readonly deserialize: (text: string) => unknown;
  private readonly gapEvent: string | false;
  private readonly subscribers = new Set<Subscriber>();
  // Frames are encoded once per event and reused for every subscriber and every replay.
  private readonly frames = new WeakMap<BackplaneEvent, Uint8Array>();
  private readonly views = new WeakMap<BackplaneEvent, ChannelEvent<Events>>();
  private readonly stopListening: () => void;
  // Events of this tick not written yet (see fan-out-batch.ts), their frames and total size.
  private batch: BackplaneEvent[] = [];
  private batchFrames: Uint8Array[] = [];
  private batchBytes = 0;
  private readonly flushLater = () => this.flush();
  private isClosed = false;
  private published = 0;
  private delivered = 0;
  private closedSlow = 0;

  constructor(options: ChannelOptions) {
    this.backplane = options.backplane ?? memoryBackplane({ history: options.history });
    this.serialize = options.serialize;
    this.deserialize = options.deserialize ?? ((text) => JSON.parse(text) as unknown);
    this.gapEvent = options.gapEvent ?? 'sse-gap';
    if (this.gapEvent !== false) assertFieldValue('event', this.gapEvent);
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
      return this.backplane.append({ event, id, data: text, serialized: typeof data !== 'string' });
    } catch (error) {
      return rejected(error);
    }
  }

  subscribe(stream: SseStream<object>, options: ChannelSubscribeOptions<Events> = {}): () => void {
    const lastEventId = 'lastEventId' in options ? options.lastEventId : stream.lastEventId;
    if (lastEventId === undefined) {
      const subscriber = this.add(stream, options.filter, false);
      return subscriber ? () => this.remove(subscriber) : noop;
    }
    const handle = this[openReplay](stream, lastEventId, options.filter);
    if (!handle) return noop;
    void replayInOrder(stream, lastEventId, [handle]);
    return handle.unsubscribe;
  }

  /** @internal Subscribes `stream` with live events held back, for `subscribeAll`. */
  [openReplay](
    stream: SseStream<object>,
    lastEventId: string,
    filter?: Subscriber['filter'],
  ): ReplayHandle | undefined {
    const subscriber = this.add(stream, filter, true);
    if (!subscriber) return undefined;
    return {
      gapEvent: this.gapEvent,
      read: () => this.backplane.readAfter(lastEventId),
      deliver: (event) =>
        !this.subscribers.has(subscriber) || this.deliver(subscriber, event, this.frameOf(event)),
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

  stats(): ChannelStats {
    this.flush();
    return {
      subscribers: this.subscribers.size,
      published: this.published,
      delivered: this.delivered,
      closedSlow: this.closedSlow,
    };
  }

  close(options: ChannelCloseOptions = {}): void {
    if (this.isClosed) return;
    this.flush();
    this.isClosed = true;
    this.stopListening();
    const retry = options.retry ?? DEFAULT_CLOSE_RETRY_MS;
    for (const { stream } of this.subscribers) {
      stream.writeFrame(formatEvent({ retry: Math.round(retry * (0.5 + Math.random())) }));
      stream.close();
    }
    this.subscribers.clear();
  }

  private add(
    stream: SseStream<object>,
    filter: Subscriber['filter'],
    queued: boolean,
  ): Subscriber | undefined {
    if (this.isClosed) {
      throw new SseError('ERR_SSE_CHANNEL_CLOSED', 'subscribe() on a closed channel');
    }
    if (stream.closed) return undefined;
    // A subscriber receives what is published from now on, not what is still being written.
    this.flush();
    const subscriber: Subscriber = { stream, filter, queue: queued ? [] : null, unwatch: noop };
    this.subscribers.add(subscriber);
    subscriber.unwatch = stream.onClose((reason) => {
      if (reason === 'slow') this.closedSlow++;
      this.subscribers.delete(subscriber);
    });
    return subscriber;
  }

  private remove(subscriber: Subscriber): void {
    this.flush();
    subscriber.unwatch();
    this.subscribers.delete(subscriber);
  }

  private fanOut(event: BackplaneEvent): void {
    if (this.subscribers.size === 0) return;
    if (this.batch.length === 0) {
      openBatch(this);
      queueMicrotask(this.flushLater);
    }
    const frame = this.frameOf(event);
    this.batch.push(event);
    this.batchFrames.push(frame);
    this.batchBytes += frame.byteLength;
  }

  /** @internal Writes this tick's events: the frames joined once, one write per subscriber. */
  flush(): void {
    const events = this.batch;
    if (events.length === 0) return;
    closeBatch(this);
    const frames = this.batchFrames;
    const joined = frames.length === 1 ? frames[0]! : concatBytes(frames, this.batchBytes);
    this.batch = [];
    this.batchFrames = [];
    this.batchBytes = 0;
    for (const subscriber of this.subscribers) {
      if (subscriber.queue) {
        for (const event of events) subscriber.queue.push(event);
      } else if (subscriber.filter) {
        for (let i = 0; i < events.length; i++) this.deliver(subscriber, events[i]!, frames[i]!);
      } else if (!subscriber.stream.closed) {
        this.delivered += events.length;
        subscriber.stream.writeFrame(joined);
      }
    }
  }

  /** Writes one event to one subscriber; `false` when its client is behind. */
  private deliver(subscriber: Subscriber, event: BackplaneEvent, frame: Uint8Array): boolean {
    if (
      subscriber.filter &&
      !(subscriber.filter as (e: ChannelEvent<Events>) => boolean)(this.viewOf(event))
    ) {
      return true;
    }
    if (subscriber.stream.closed) return false;
    this.delivered++;
    return subscriber.stream.writeFrame(frame);
  }

  private frameOf(event: BackplaneEvent): Uint8Array {
    let frame = this.frames.get(event);
    if (!frame) {
      frame = encodeText(formatEvent({ id: event.id, event: event.event, data: event.data }));
      this.frames.set(event, frame);
    }
    return frame;
  }

  private viewOf(event: BackplaneEvent): ChannelEvent<Events> {
    let view = this.views.get(event);
    if (!view) {
      const data = event.serialized ? this.deserialize(event.data) : event.data;
      view = { id: event.id, event: event.event ?? 'message', data } as ChannelEvent<Events>;
      this.views.set(event, view);
    }
    return view;
  }
}

function noop(): void {}
