import { afterEach } from 'vitest';
import { recordEventSource, type RecordingEventSource } from './event-source';
import { openRawSse, type RawSseOptions, type RawSseResponse } from './raw-client';

/** Servers and clients a test opened, closed for it after the test. */
export interface TestResources {
  /** Closes `server` after the test (after every client); returns it. */
  server<T extends { close(): Promise<void> }>(server: T): T;
  /** Closes `client` after the test; returns it. */
  client<T extends { close(): void }>(client: T): T;
  /** Opens a raw SSE request, closed after the test. */
  raw(url: string, options?: RawSseOptions): Promise<RawSseResponse>;
  /** Opens a real EventSource, closed after the test. */
  eventSource(url: string): RecordingEventSource;
}

/**
 * Registers an `afterEach` hook (call it inside a `describe`) that closes every client, then
 * every server, the tests of that `describe` registered.
 */
export function useTestResources(): TestResources {
  const clients: { close(): void }[] = [];
  const servers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const client = <T extends { close(): void }>(opened: T): T => {
    clients.push(opened);
    return opened;
  };
  return {
    server(server) {
      servers.push(server);
      return server;
    },
    client,
    async raw(url, options) {
      return client(await openRawSse(url, options));
    },
    eventSource: (url) => client(recordEventSource(url)),
  };
}
