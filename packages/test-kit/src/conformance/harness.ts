import { afterEach } from 'vitest';
import type { SseCloseReason, SseStream } from '@sse/core';
import { recordEventSource, type RecordingEventSource } from '../event-source';
import { openRawSse, type RawSseOptions, type RawSseResponse } from '../raw-client';
import type { SseTarget, SseTargetServer, SseTargetSetup } from './target';

/** Servers and clients of one test, all closed in `afterEach`. */
export interface ConformanceHarness {
  /** Starts the target; the server is closed after the test. */
  start(setup: SseTargetSetup): Promise<SseTargetServer>;
  /** Opens a raw SSE request (closed after the test). */
  raw(url: string, options?: RawSseOptions): Promise<RawSseResponse>;
  /** Opens a real EventSource (closed after the test). */
  eventSource(url: string, eventNames?: readonly string[]): RecordingEventSource;
}

/** Registers the cleanup hook and returns the harness for the tests of one `describe`. */
export function useHarness(target: SseTarget): ConformanceHarness {
  let clients: (() => void)[] = [];
  let servers: SseTargetServer[] = [];
  afterEach(async () => {
    for (const close of clients) close();
    clients = [];
    const closing = servers.map((server) => server.close());
    servers = [];
    await Promise.all(closing);
  });
  return {
    async start(setup) {
      const server = await target.start(setup);
      servers.push(server);
      return server;
    },
    async raw(url, options) {
      const response = await openRawSse(url, options);
      clients.push(() => response.close());
      return response;
    },
    eventSource(url, eventNames) {
      const source = recordEventSource(url, eventNames);
      clients.push(() => source.close());
      return source;
    },
  };
}

/** One stream opened by the server, as a test observes it from the inside. */
export interface OpenedStream {
  stream: SseStream;
  /** The close reason, once `onClose` fired. */
  reason: SseCloseReason | undefined;
}

/**
 * Records every stream the server opens, then runs `then` with it. Use `handler` as the
 * target's handler and `next(index)` to wait for the n-th stream.
 */
export function captureStreams(then?: (stream: SseStream) => void | Promise<void>): {
  handler: (stream: SseStream) => void | Promise<void>;
  opened: OpenedStream[];
  next(index?: number, timeoutMs?: number): Promise<OpenedStream>;
} {
  const opened: OpenedStream[] = [];
  const waiters = new Set<() => void>();
  return {
    opened,
    handler(stream) {
      const entry: OpenedStream = { stream, reason: undefined };
      opened.push(entry);
      stream.onClose((reason) => (entry.reason = reason));
      for (const waiter of waiters) waiter();
      return then?.(stream);
    },
    next(index = opened.length, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const entry = opened[index];
          if (!entry) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(entry);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for stream #${index + 1} to open`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** The origin and path of an endpoint URL, for supertest. */
export function splitUrl(url: string): { origin: string; path: string } {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/** Appends query parameters to an endpoint URL. */
export function withQuery(url: string, query: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(query)) parsed.searchParams.set(name, value);
  return parsed.toString();
}
