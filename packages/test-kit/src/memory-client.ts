import type { SseChunk } from '@sse/core/adapter';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { MemoryConnection, MemoryFinish, MemoryReader } from './memory-connection';

/** The client end of a memory stream: what it read, parsed by a spec-compliant parser. */
export interface MemorySseClient {
  /** Every event parsed so far (none kept with `retain: false`). */
  readonly events: EventSourceMessage[];
  /** Every comment parsed so far (none kept with `retain: false`). */
  readonly comments: string[];
  /** The `retry:` values seen. */
  readonly retries: number[];
  /** Events parsed so far, kept or not. */
  readonly count: number;
  /** Bytes read so far. */
  readonly bytes: number;
  /** `write()` calls the stream made to the connection. */
  readonly writes: number;
  /** Bytes written by the stream and not read yet. */
  readonly bufferedBytes: number;
  /** How the connection finished, once it has. */
  readonly finished: MemoryFinish | undefined;
  /** Resolves when the server ends the stream (after it was read) or the connection drops. */
  readonly ended: Promise<void>;
  /** The text read so far (empty with `retain: false`). */
  text(): string;
  /** Resolves with the first `count` events once they have arrived. */
  waitForEvents(count: number, timeoutMs?: number): Promise<EventSourceMessage[]>;
  /** Resolves once `count` events have arrived (with or without `retain`). */
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves once the text read satisfies `predicate`. */
  waitForText(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Stops reading: what the stream writes piles up and `bufferedBytes` grows. */
  pause(): void;
  /** Reads again: everything unread on the next turn of the event loop, and on. */
  resume(): void;
  /** Reads up to `maxBytes` of what is unread now (e.g. a throttled reader); returns the bytes read. */
  read(maxBytes?: number): number;
  /** Leaves, as a client that closes the connection: the stream closes with reason `"client"`. */
  close(): void;
  /** The connection fails with `error`: the stream closes with reason `"error"`. */
  fail(error: unknown): void;
}

/** Options of the client end. */
export interface MemoryClientOptions {
  /** Keep the events, comments and text read; `false` keeps counts only. @default true */
  retain?: boolean;
  /** Called with every parsed event. */
  onEvent?: (event: EventSourceMessage) => void;
}

/** Builds the client end of `connection`; `bind` gives the reader its connection. */
export function createMemoryClient(
  options: MemoryClientOptions,
  bind: (reader: MemoryReader) => MemoryConnection,
): MemorySseClient {
  const retain = options.retain ?? true;
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const decoder = new TextDecoder();
  let body = '';
  let count = 0;
  let bytes = 0;
  let finished: MemoryFinish | undefined;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const parser = createParser({
    onEvent: (event) => {
      count++;
      if (retain) events.push(event);
      options.onEvent?.(event);
    },
    onComment: (comment) => {
      if (retain) comments.push(comment);
    },
    onRetry: (retry) => retries.push(retry),
  });
  let markEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const connection = bind({
    read(chunk: SseChunk) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (retain) body += text;
      parser.feed(text);
      notify();
    },
    finish(how) {
      finished = how;
      markEnded();
      notify();
    },
  });

  const waitFor = <T>(check: () => T | undefined, what: () => string, timeoutMs = 5000) =>
    new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value !== undefined) {
          cleanup();
          resolve(value);
        } else if (finished) {
          cleanup();
          reject(new Error(`stream ${finished}ed before ${what()}; text so far:\n${tail()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}:\n${tail()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(attempt);
      };
      waiters.add(attempt);
      attempt();
    });
  const tail = () => body.slice(-2000);

  return {
    events,
    comments,
    retries,
    get count() {
      return count;
    },
    get bytes() {
      return bytes;
    },
    get writes() {
      return connection.writes;
    },
    get bufferedBytes() {
      return connection.bufferedBytes;
    },
    get finished() {
      return finished;
    },
    ended,
    text: () => body,
    waitForEvents: (wanted, timeoutMs) =>
      waitFor(
        () => (events.length >= wanted ? events.slice(0, wanted) : undefined),
        () => `${wanted} events (have ${events.length})`,
        timeoutMs,
      ),
    waitForCount: (wanted, timeoutMs) =>
      waitFor(
        () => (count >= wanted ? true : undefined),
        () => `${wanted} events (have ${count})`,
        timeoutMs,
      ).then(() => undefined),
    waitForText: (predicate, timeoutMs) =>
      waitFor(
        () => (predicate(body) ? body : undefined),
        () => 'the expected text',
        timeoutMs,
      ),
    pause: () => connection.pause(),
    resume: () => connection.resume(),
    read: (maxBytes) => connection.read(maxBytes),
    close: () => connection.disconnect(),
    fail: (error) => connection.disconnect(error ?? new Error('connection failed')),
  };
}
