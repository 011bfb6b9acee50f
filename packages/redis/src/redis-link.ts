import {
  connectUrl,
  isCluster,
  shutDown,
  startConnecting,
  whenReady,
  type RedisClusterConnection,
  type RedisConnection,
  type RedisMessageListener,
} from './connection';
import type { OutageReporter } from './outage';

/**
 * The few things the topics need of Redis, the same on one server and on a Cluster: commands
 * about a key, and subscriptions to channels that live in that key's slot.
 */
export interface RedisLink {
  /** Whether channels are sharded (`SPUBLISH`/`SSUBSCRIBE`, Cluster) or not. */
  readonly sharded: boolean;
  /** Sends a command about `key` (to the shard that holds it, on a Cluster). */
  send(key: string, args: string[]): Promise<unknown>;
  /** `undefined` when commands can be sent now, else a promise of when to send them. */
  ready(): Promise<void> | undefined;
  subscribe(channel: string, listener: RedisMessageListener): Promise<unknown>;
  unsubscribe(channel: string, listener: RedisMessageListener): Promise<unknown>;
  /** Called when a subscriber connection is lost (before it gets any message again). */
  onInterrupted: (() => void) | undefined;
  /**
   * Called when a subscriber connection is back after losing its socket, its subscriptions
   * restored: what was published meanwhile must be read from the streams.
   */
  onResubscribed: (() => void) | undefined;
  /** Closes what the link opened; a client of the user's stays open. */
  close(): Promise<void>;
}

/** Where the link's connections come from. */
export type RedisSource =
  | { url: string; client?: undefined }
  | { url?: undefined; client: RedisConnection | RedisClusterConnection };

/** A link over `source`, reporting connection errors to `reporter`. */
export function createLink(source: RedisSource, reporter: OutageReporter): RedisLink {
  if (source.client !== undefined && isCluster(source.client)) {
    return clusterLink(source.client, reporter);
  }
  return serverLink(
    source.url !== undefined ? connectUrl(source.url) : source.client,
    source.url !== undefined,
    reporter,
  );
}

/**
 * One Redis server: commands on `commands`, every subscription on one duplicate of it. At most
 * two connections however many topics (one when the client is the user's).
 */
function serverLink(commands: RedisConnection, own: boolean, reporter: OutageReporter): RedisLink {
  // The offline queue holds subscriptions made while the connection is being set up.
  const subscriber = commands.duplicate({ disableOfflineQueue: false });
  let subscriberStarted = false;
  let subscriberWasReady = false;
  const onCommandsReady = () => {
    if (!subscriberStarted || subscriber.isReady) reporter.recovered();
  };
  const onSubscriberReady = () => {
    if (commands.isReady) reporter.recovered();
    // node-redis restores the subscriptions before it reports the connection ready.
    if (subscriberWasReady) link.onResubscribed?.();
    subscriberWasReady = true;
  };
  commands.on('error', reporter.report);
  commands.on('ready', onCommandsReady);
  const onSubscriberLost = (error: unknown) => {
    link.onInterrupted?.();
    reporter.report(error);
  };
  subscriber.on('error', onSubscriberLost);
  subscriber.on('ready', onSubscriberReady);
  if (own) startConnecting(commands);

  const link: RedisLink = {
    sharded: false,
    send: (_key, args) => commands.sendCommand(args),
    ready: () => whenReady(commands),
    subscribe(channel, listener) {
      if (!subscriberStarted) {
        subscriberStarted = true;
        startConnecting(subscriber);
      }
      return subscriber.subscribe(channel, listener);
    },
    unsubscribe: (channel, listener) => subscriber.unsubscribe(channel, listener),
    onInterrupted: undefined,
    onResubscribed: undefined,
    async close() {
      commands.off('error', reporter.report);
      commands.off('ready', onCommandsReady);
      await Promise.all([
        subscriberStarted ? shutDown(subscriber, false) : undefined,
        own ? shutDown(commands, true) : undefined,
      ]);
    },
  };
  return link;
}

/**
 * A Cluster: node-redis routes each command to the shard of its key, and each sharded
 * subscription to a subscriber connection of that shard (one per master, shared by every
 * topic of it).
 */
function clusterLink(cluster: RedisClusterConnection, reporter: OutageReporter): RedisLink {
  let connecting: Promise<void> | undefined;
  let resync: ReturnType<typeof setTimeout> | undefined;
  const onNodeReady = () => {
    reporter.recovered();
    // Several nodes come back together: one pass over the topics for all of them.
    clearTimeout(resync);
    resync = setTimeout(() => link.onResubscribed?.(), 10);
  };
  // Any node's connection may be a subscriber's: live events wait for the next read.
  const onNodeLost = (error: unknown) => {
    link.onInterrupted?.();
    reporter.report(error);
  };
  cluster.on('error', reporter.report);
  cluster.on('node-error', onNodeLost);
  cluster.on('node-ready', onNodeReady);

  const link: RedisLink = {
    sharded: true,
    send: (key, args) => cluster.sendCommand(key, false, args),
    ready() {
      if (cluster.isOpen) return undefined;
      connecting ??= cluster.connect().then(
        () => undefined,
        () => undefined,
      );
      return connecting;
    },
    subscribe: (channel, listener) => cluster.sSubscribe(channel, listener),
    unsubscribe: (channel, listener) => cluster.sUnsubscribe(channel, listener),
    onInterrupted: undefined,
    onResubscribed: undefined,
    close() {
      clearTimeout(resync);
      cluster.off('error', reporter.report);
      cluster.off('node-error', onNodeLost);
      cluster.off('node-ready', onNodeReady);
      return Promise.resolve();
    },
  };
  return link;
}
