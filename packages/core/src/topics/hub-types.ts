import type { SseSubscribable } from '../adapter/channels';
import type { Broker, RunStatus } from '../brokers/broker';
import type {
  Channel,
  ChannelCloseOptions,
  ChannelPublishOptions,
  SseEventName,
} from '../channel-types';
import type { SseSerializer } from '../framing';
import type { Run, RunOptions } from './run-types';

/** Options of `createHub`. */
export interface HubOptions {
  /**
   * Where topics' events are stored and shared: `memoryBroker({ history, ttl })` by default,
   * `redisBroker(...)` (from `@sse/redis`) for many server instances.
   */
  broker?: Broker;
  /** Events each topic keeps for replay, with the default broker. @default 1000 */
  history?: number;
  /**
   * Seconds a topic's history is kept after its last publish, with the default broker.
   * @default 86400 (one day)
   */
  ttl?: number;
  /**
   * Milliseconds a topic without subscribers stays in memory; its history stays in the broker.
   * @default 60000
   */
  idleTimeout?: number;
  /** Topics one stream may ask for; more is a 400. @default 64 */
  maxTopicsPerStream?: number;
  /** Turns non-string payloads into text, once per event. @default JSON.stringify */
  serialize?: SseSerializer;
  /** Turns serialized payloads back into values for `filter`s. @default JSON.parse */
  deserialize?: (text: string) => unknown;
  /** The gap event's name (see `ChannelOptions.gapEvent`). @default "sse-gap" */
  gapEvent?: string | false;
  /** Each topic's write window (see `ChannelOptions.batchDelay`). @default 0 */
  batchDelay?: number;
}

/** Counters of a hub since it was created. */
export interface HubStats {
  /** Topics in memory now (with subscribers, or used within `idleTimeout`). */
  topics: number;
  /** Streams subscribed to topics now (a stream of three topics counts three times). */
  subscribers: number;
  /** Events published through this hub. */
  published: number;
  /** Frames written to subscribers (live and replayed). */
  delivered: number;
  /** Subscribers closed because they fell `maxBufferedBytes` behind. */
  closedSlow: number;
}

/** Many named channels (topics), created on first use and forgotten when idle. */
export interface Hub<Events extends object> {
  /**
   * The topic's channel, created on first use; the same object while it is in memory. Keep it
   * only while you use it: once idle it is closed, and `topic(name)` makes a new one.
   */
  topic(name: string): Channel<Events>;
  /** Publishes to a topic without keeping its channel in memory. Resolves with the id. */
  publish<Name extends SseEventName<Events> = 'message' & SseEventName<Events>>(
    name: string,
    data: Events[Name],
    options?: ChannelPublishOptions<Name>,
  ): Promise<string>;
  /**
   * What a `channel` option returns for a request: the stream follows every topic named
   * (a string, a list, or `undefined` as read from a query string). Throws `SseError`
   * `ERR_SSE_TOPIC` (status 400) for no name, a bad name, or more than `maxTopicsPerStream`.
   * One `Last-Event-ID` resumes all of them.
   */
  topics(names: string | readonly string[] | undefined): SseSubscribable;
  /**
   * Starts a run on topic `name`: a finite stream with one producer (an AI answer, a job's
   * progress). Readers subscribe with `topics(name)`: without `Last-Event-ID` they get it from
   * its first event, their streams close after its final event, and a request whose
   * `Last-Event-ID` is that final event is answered 204. Throws `SseError` `ERR_SSE_RUN` when
   * this process is already producing a run of that name.
   */
  run(name: string, options?: RunOptions): Run<Events>;
  /**
   * Aborts the `signal` of run `name` wherever it is produced (every instance sharing a broker
   * that supports it, such as `redisBroker`; with `memoryBroker`, this process).
   */
  cancel(name: string): Promise<void>;
  /** Where run `name` is; `"unknown"` for a name that never ran or whose `ttl` passed. */
  runStatus(name: string): Promise<RunStatus>;
  stats(): HubStats;
  /** Closes every topic's subscribers (each after a jittered `retry:`) and the hub's timers. */
  close(options?: ChannelCloseOptions): void;
}
