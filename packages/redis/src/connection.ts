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
  if (!client.isOpen) void client.connect().catch(ignore);
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

function ignore(): void {}

/**
 * A client of our own for `url`. Commands fail at once while Redis is unreachable (rather than
 * wait in node-redis's offline queue), so a publish during an outage rejects instead of hanging;
 * node-redis reconnects in the background.
 */
export function connectUrl(url: string, onError: (error: unknown) => void): RedisConnection {
  const client = createClient({ url, disableOfflineQueue: true }) as unknown as RedisConnection;
  watchErrors(client, onError);
  void client.connect().catch(ignore);
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
