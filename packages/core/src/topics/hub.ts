import type { Backplane } from '../backplane';
import type { Broker } from '../brokers/broker';
import { memoryBroker } from '../brokers/memory-broker';
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
import { assertTopicName, toTopicNames } from './topic-names';
import { TopicsSubscription, type TopicChannel } from './topics-subscription';

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_TOPICS_PER_STREAM = 64;

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
  private sweeper: ReturnType<typeof setInterval> | undefined;
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
    return new TopicsSubscription(list, (name) => this.open(name));
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
