import type { Backplane } from '../backplane';
import type { Broker, BrokerRuns, RunStatus } from '../brokers/broker';
import { memoryBroker } from '../brokers/memory-broker';
import { MemoryRuns } from '../brokers/memory-runs';
import { createChannel } from '../channel';
import type {
  Channel,
  ChannelCloseOptions,
  ChannelPublishOptions,
  SseEventMap,
} from '../channel-types';
import { rejected, SseError } from '../errors';
import { assertFieldValue, serializeData } from '../framing';
import type { Hub, HubOptions, HubStats } from './hub-types';
import { RunImpl } from './run';
import { assertNotEnded, endReadersOnFinal, subscribeTopic, type TopicReader } from './run-reader';
import type { Run, RunOptions } from './run-types';
import { assertTopicName, toTopicNames } from './topic-names';
import { TopicsSubscription, type TopicChannel } from './topics-subscription';

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_TOPICS_PER_STREAM = 64;
const DEFAULT_TTL_S = 86_400;
const DEFAULT_LEASE_MS = 10_000;

/** A topic in memory: its channel, the broker's backplane under it, when it was last used. */
interface LiveTopic {
  readonly channel: TopicChannel;
  readonly backplane: Backplane;
  lastUsed: number;
}

/**
 * Creates a hub: many named channels (a user, a room, a document), created on first use and
 * dropped from memory after `idleTimeout` without subscribers, while their history stays in
 * the broker for `ttl` seconds. `Events` types every topic's events.
 *
 * @example
 * const hub = createHub<{ message: Note }>();
 * app.get('/events', sse({ channel: (req) => hub.topics(req.query.topic) }));
 * await hub.publish(`user:${id}`, note);
 */
export function createHub<Events extends object = SseEventMap>(
  options: HubOptions = {},
): Hub<Events> {
  return new HubImpl<Events>(options);
}

class HubImpl<Events extends object> implements Hub<Events> {
  private readonly broker: Broker;
  private readonly ownsBroker: boolean;
  private readonly idleTimeout: number;
  private readonly maxTopics: number;
  private readonly live = new Map<string, LiveTopic>();
  /** Run state: the broker's, else this process's own. */
  private readonly runs: BrokerRuns;
  /** Runs produced by this hub and not finished yet. */
  private readonly producing = new Set<string>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private lastSweep = Date.now();
  private isClosed = false;
  // Counters of topics already dropped, so that stats() spans the hub's life.
  private published = 0;
  private retiredDelivered = 0;
  private retiredSlow = 0;

  constructor(private readonly options: HubOptions) {
    this.idleTimeout = positive('idleTimeout', options.idleTimeout, DEFAULT_IDLE_TIMEOUT_MS);
    this.maxTopics = positive(
      'maxTopicsPerStream',
      options.maxTopicsPerStream,
      DEFAULT_MAX_TOPICS_PER_STREAM,
    );
    this.ownsBroker = options.broker === undefined;
    this.broker = options.broker ?? memoryBroker({ history: options.history, ttl: options.ttl });
    this.runs = this.broker.runs ?? new MemoryRuns();
  }

  run(name: string, options: RunOptions = {}) {
    assertTopicName(name);
    this.assertOpen();
    if (this.producing.has(name)) {
      throw new SseError('ERR_SSE_RUN', `run "${name}" is already running in this process`);
    }
    const ttl = positive('ttl', options.ttl, this.options.ttl ?? DEFAULT_TTL_S);
    const lease = positive('lease', options.lease, DEFAULT_LEASE_MS);
    const start = { ttlMs: ttl * 1000, leaseMs: lease };
    const backplane = this.runs.backplane?.(name, start) ?? this.broker.backplane(name);
    this.producing.add(name);
    const run = new RunImpl({
      name,
      backplane,
      runs: this.runs,
      ttlMs: ttl * 1000,
      leaseMs: lease,
      serialize: this.options.serialize,
      done: () => this.producing.delete(name),
    });
    return run as unknown as Run<Events>;
  }

  cancel(name: string): Promise<void> {
    try {
      assertTopicName(name);
      return Promise.resolve(this.runs.cancel(name));
    } catch (error) {
      return rejected(error);
    }
  }

  runStatus(name: string): Promise<RunStatus> {
    try {
      assertTopicName(name);
      return Promise.resolve(this.runs.state(name)).then((state) => state?.status ?? 'unknown');
    } catch (error) {
      return rejected(error);
    }
  }

  topic(name: string) {
    assertTopicName(name);
    return this.open(name) as unknown as ReturnType<Hub<Events>['topic']>;
  }

  publish(name: string, data: unknown, options?: ChannelPublishOptions<string>): Promise<string> {
    try {
      assertTopicName(name);
      this.assertOpen();
      const topic = this.live.get(name);
      if (topic) {
        topic.lastUsed = Date.now();
        this.published++;
        return (topic.channel as unknown as Channel).publish(data, options);
      }
      return this.publishOnce(name, data, options);
    } catch (error) {
      return rejected(error);
    }
  }

  topics(names: string | readonly string[] | undefined) {
    this.assertOpen();
    const list = toTopicNames(names, this.maxTopics);
    // A client holding a run's final id has it all: 204 (one topic: its ids are the run's).
    const beforeOpen = (lastEventId: string | undefined) =>
      list.length === 1 && lastEventId !== undefined
        ? assertNotEnded(this.runs, list[0]!, lastEventId)
        : undefined;
    return new TopicsSubscription(list, (name) => this.open(name), beforeOpen);
  }

  stats(): HubStats {
    let subscribers = 0;
    let delivered = this.retiredDelivered;
    let closedSlow = this.retiredSlow;
    for (const { channel } of this.live.values()) {
      const stats = channel.stats();
      subscribers += stats.subscribers;
      delivered += stats.delivered;
      closedSlow += stats.closedSlow;
    }
    return {
      topics: this.live.size,
      subscribers,
      published: this.published,
      delivered,
      closedSlow,
    };
  }

  close(options?: ChannelCloseOptions): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.stopSweeping();
    for (const [name, topic] of this.live) {
      topic.channel.close(options);
      this.release(name, topic);
    }
    if (this.ownsBroker) void this.broker.close();
  }

  /** The topic's channel, created (and swept when idle) as needed. */
  private open(name: string): TopicChannel {
    this.assertOpen();
    // Also swept when used: on Workers a timer lives only as long as the request that set it.
    if (Date.now() - this.lastSweep >= this.idleTimeout / 2) this.sweep();
    let topic = this.live.get(name);
    if (!topic) {
      const backplane = this.broker.backplane(name);
      const channel = createChannel({
        backplane,
        serialize: this.options.serialize,
        deserialize: this.options.deserialize,
        gapEvent: this.options.gapEvent,
        batchDelay: this.options.batchDelay,
      }) as unknown as TopicChannel;
      // Readers of a run start at its first event and stop after its last (run-reader.ts).
      const reader: TopicReader = {
        name,
        channel,
        backplane,
        runs: this.runs,
        gapEvent: this.options.gapEvent ?? 'sse-gap',
        live: new Set(),
      };
      channel.subscribe = (stream, options) => subscribeTopic(reader, stream, options);
      endReadersOnFinal(reader);
      topic = { channel, backplane, lastUsed: 0 };
      this.live.set(name, topic);
      this.startSweeping();
    }
    topic.lastUsed = Date.now();
    return topic.channel;
  }

  private async publishOnce(
    name: string,
    data: unknown,
    options?: ChannelPublishOptions<string>,
  ): Promise<string> {
    const event = options?.event;
    const id = options?.id;
    if (event !== undefined) assertFieldValue('event', event);
    if (id !== undefined) assertFieldValue('id', id);
    const text = serializeData(data, this.options.serialize);
    this.published++;
    const backplane = this.broker.backplane(name);
    try {
      return await backplane.append({
        event,
        id,
        data: text,
        serialized: typeof data !== 'string',
      });
    } finally {
      void backplane.close?.();
    }
  }

  private startSweeping(): void {
    if (this.sweeper !== undefined) return;
    // One timer for every topic; an idle topic goes between one and one and a half timeouts.
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, this.idleTimeout / 2));
    (this.sweeper as { unref?: () => void }).unref?.();
  }

  private stopSweeping(): void {
    if (this.sweeper === undefined) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private sweep(): void {
    const now = Date.now();
    this.lastSweep = now;
    for (const [name, topic] of this.live) {
      if (topic.channel.size > 0) topic.lastUsed = now;
      else if (now - topic.lastUsed >= this.idleTimeout) {
        topic.channel.close();
        this.release(name, topic);
      }
    }
    if (this.live.size === 0) this.stopSweeping();
  }

  private release(name: string, topic: LiveTopic): void {
    const stats = topic.channel.stats();
    this.retiredDelivered += stats.delivered;
    this.retiredSlow += stats.closedSlow;
    this.live.delete(name);
    void topic.backplane.close?.();
  }

  private assertOpen(): void {
    if (this.isClosed) throw new SseError('ERR_SSE_CHANNEL_CLOSED', 'the hub is closed');
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!(Number.isFinite(resolved) && resolved > 0)) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `${name} must be a positive number, got ${String(value)}`,
    );
  }
  return resolved;
}
