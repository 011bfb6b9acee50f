import type { Backplane } from './backplane';
import type { SseSerializer } from './framing';
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
  /**
   * Milliseconds during which published events are held and then written to each subscriber
   * as one write. `0` writes every event as soon as it is published (events published in the
   * same tick still go out as one write). At high event rates a few milliseconds trade a
   * bounded latency for far fewer writes and system calls.
   * @default 0
   */
  batchDelay?: number;
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
   * The payload is serialized once. Resolves with the event's id once it is stored and, while
   * a subscriber of this instance holds more than its `maxBufferedBytes` unsent, once that
   * subscriber has drained or been closed as slow: a publisher that awaits each `publish` is
   * paced by its subscribers and never cuts off one that keeps reading.
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
