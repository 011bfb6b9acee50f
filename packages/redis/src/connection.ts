import { createClient } from 'redis';

/** What the backplane uses of a node-redis client. */
export interface RedisConnection {
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(overrides?: { disableOfflineQueue?: boolean }): RedisConnection;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** How long a command waits for a connection that is (re)connecting before it is sent anyway. */
const READY_WAIT_MS = 1_000;

/**
 * Resolves once `client` is connected, or after a short wait: commands sent then either go
 * through or fail at once (a Redis that is down), never wait in a queue for good.
 */
export function whenReady(client: RedisConnection): Promise<void> | undefined {
  if (client.isReady) return undefined;
  if (!client.isOpen) startConnecting(client);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, READY_WAIT_MS);
    client.once('ready', done);
  });
}

/** A no-op listener or rejection handler. */
export function ignore(): void {}

/**
 * A client of our own for `url`. Commands fail at once while Redis is unreachable (rather than
 * wait in node-redis's offline queue), so a publish during an outage rejects instead of hanging;
 * node-redis reconnects in the background.
 */
export function connectUrl(url: string, onError: (error: unknown) => void): RedisConnection {
  const client = createClient({ url, disableOfflineQueue: true }) as unknown as RedisConnection;
  watchErrors(client, onError);
  startConnecting(client);
  return client;
}

/** node-redis emits 'error' on every failed reconnect: without a listener that is a crash. */
export function watchErrors(client: RedisConnection, onError: (error: unknown) => void): void {
  let reported = false;
  client.on('error', (error) => {
    // One report per outage: a down Redis fails every reconnect attempt.
    if (reported) return;
    reported = true;
    onError(error);
    setTimeout(() => (reported = false), OUTAGE_REPORT_INTERVAL_MS).unref();
  });
}

const OUTAGE_REPORT_INTERVAL_MS = 30_000;

// Connections we started and that may still be connecting.
const connecting = new WeakMap<RedisConnection, Promise<unknown>>();

function startConnecting(client: RedisConnection): void {
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
