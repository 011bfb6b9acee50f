import type { SseStream, SseStreamOptions, SseSubscribable } from '@sse/core';

/** What the conformance suite asks a target to serve at `GET /events`. */
export interface SseTargetSetup {
  /** Stream options, plus the channels to subscribe the stream to (with Last-Event-ID replay). */
  options: SseStreamOptions & { channel?: SseSubscribable | readonly SseSubscribable[] };
  /** Runs with every opened stream (after it is subscribed to `options.channel`). */
  handler?: (stream: SseStream) => void | Promise<void>;
}

/** A running server of one target. */
export interface SseTargetServer {
  /** Absolute URL of the SSE endpoint (`http://127.0.0.1:PORT/events`). */
  url: string;
  close(): Promise<void>;
}

/**
 * One way of serving SSE: an adapter (express, koa, hono, fastify) or a bare core binding.
 * `start` must start a real server on 127.0.0.1 port 0.
 */
export interface SseTarget {
  name: string;
  start(setup: SseTargetSetup): Promise<SseTargetServer>;
}
