import { createClient } from 'redis';

/** What is called with each message of a subscribed channel. */
export type RedisMessageListener = (message: string, channel: string) => void;

/** What `@sse/redis` uses of a node-redis client (`createClient()`). */
export interface RedisConnection {
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(overrides?: { disableOfflineQueue?: boolean }): RedisConnection;
  subscribe(channel: string, listener: RedisMessageListener): Promise<unknown>;
  unsubscribe(channel: string, listener: RedisMessageListener): Promise<unknown>;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
  off(event: 'error', listener: (error: unknown) => void): unknown;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** What `@sse/redis` uses of a node-redis Cluster client (`createCluster()`). */
export interface RedisClusterConnection {
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
  sSubscribe(channel: string, listener: RedisMessageListener): Promise<unknown>;
  sUnsubscribe(channel: string, listener: RedisMessageListener): Promise<unknown>;
  connect(): Promise<unknown>;
  on(event: 'error' | 'node-error', listener: (error: unknown) => void): unknown;
  on(event: 'node-ready', listener: () => void): unknown;
  off(event: 'error' | 'node-error', listener: (error: unknown) => void): unknown;
  off(event: 'node-ready', listener: () => void): unknown;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** Whether `client` is a Cluster client (`createCluster()`), which lists its masters. */
export function isCluster(
  client: RedisConnection | RedisClusterConnection,
): client is RedisClusterConnection {
  return 'masters' in client;
}

/** How long a command waits for a connection that is (re)connecting before it is sent anyway. */
const READY_WAIT_MS = 1_000;

// One wait per connection, shared by every command that arrives meanwhile: a listener each
// would pile up during an outage (MaxListenersExceededWarning).
const readyWaits = new WeakMap<RedisConnection, Promise<void>>();

/**
 * `undefined` when `client` is connected, else a promise that settles once it is, or after a
 * short wait: commands sent then either go through or fail at once (a Redis that is down),
 * never wait in a queue for good. Commands that await it go on in the order they came.
 */
export function whenReady(client: RedisConnection): Promise<void> | undefined {
  if (client.isReady) return undefined;
  if (!client.isOpen) startConnecting(client);
  let wait = readyWaits.get(client);
  if (!wait) {
    wait = new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        readyWaits.delete(client);
        resolve();
      };
      const timer = setTimeout(done, READY_WAIT_MS);
      client.once('ready', done);
    });
    readyWaits.set(client, wait);
  }
  return wait;
}

/** A no-op listener or rejection handler. */
export function ignore(): void {}

/**
 * A client of our own for `url`. Commands fail at once while Redis is unreachable (rather than
 * wait in node-redis's offline queue), so a publish during an outage rejects instead of hanging;
 * node-redis reconnects in the background.
 */
export function connectUrl(url: string): RedisConnection {
  return createClient({ url, disableOfflineQueue: true });
}

// Connections we started and that may still be connecting.
const connecting = new WeakMap<RedisConnection, Promise<unknown>>();

/** Starts connecting `client` (node-redis retries on its own); failures go to its 'error'. */
export function startConnecting(client: RedisConnection): void {
  const connected = client.connect().catch(ignore);
  connecting.set(client, connected);
}

/** How long a shutdown waits for a connection still being set up. */
const SHUTDOWN_WAIT_MS = 1_000;

/**
 * Closes a connection we opened: gracefully when it is up (what was sent is answered first),
 * at once otherwise. node-redis cannot abort a socket it is still connecting (destroying it
 * then leaves the socket open), so a connection being set up is waited for, briefly.
 */
export async function shutDown(client: RedisConnection, graceful: boolean): Promise<void> {
  const pending = connecting.get(client);
  if (pending && !client.isReady) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)));
    await Promise.race([pending, waited]);
    clearTimeout(timer);
  }
  if (!client.isOpen) return;
  try {
    if (graceful && client.isReady) await client.close();
    else client.destroy();
  } catch {
    // Closed meanwhile.
  }
}
