import { SseStream, type SseStreamOptions } from '@sse/core';
import { afterEach } from 'vitest';
import {
  createMemoryClient,
  type MemoryClientOptions,
  type MemorySseClient,
} from './memory-client';
import { MemoryConnection } from './memory-connection';

/** Options of `openMemoryStream`: the stream's, and its client's. */
export interface MemoryStreamOptions extends SseStreamOptions, MemoryClientOptions {
  /** The id the client last saw, as a binding reads it from `Last-Event-ID`. */
  lastEventId?: string;
  /**
   * Unread bytes above which `write` returns `false` (and the stream waits for `drain`).
   * @default 16384 (node:http's)
   */
  highWaterMark?: number;
  /** Open with a client that does not read (until `resume()` or `read()`). @default false */
  paused?: boolean;
}

/** A stream over an in-memory connection, and the client reading it. */
export interface MemoryStream<State extends object = Record<string, unknown>> {
  stream: SseStream<State>;
  client: MemorySseClient;
}

/**
 * Opens an `SseStream` over an in-memory transport: no socket, no server. The client parses
 * what the stream writes; it can stop reading (`pause`, `read`), and leave (`close`).
 */
export function openMemoryStream<State extends object = Record<string, unknown>>(
  options: MemoryStreamOptions = {},
): MemoryStream<State> {
  const { highWaterMark = 16 * 1024, paused = false, retain, onEvent, ...init } = options;
  let connection: MemoryConnection | undefined;
  const client = createMemoryClient({ retain, onEvent }, (reader) => {
    connection = new MemoryConnection(reader, highWaterMark, !paused);
    return connection;
  });
  const stream = new SseStream<State>((sink) => connection!.attach(sink), init);
  return { stream, client };
}

/** Opens memory streams that are closed after each test of the `describe` it is called in. */
export function useMemoryStreams(): <State extends object = Record<string, unknown>>(
  options?: MemoryStreamOptions,
) => MemoryStream<State> {
  const opened: SseStream<object>[] = [];
  afterEach(() => {
    for (const stream of opened.splice(0)) stream.close();
  });
  return <State extends object>(options?: MemoryStreamOptions) => {
    const memory = openMemoryStream<State>(options);
    opened.push(memory.stream);
    return memory;
  };
}
