import type { SseStream, SseStreamOptions, SseSubscribable } from '@sse/core';

/** Channels as the conformance suite hands them to a target: one, a list, or a function. */
export type SseTargetChannel =
  | SseSubscribable
  | readonly SseSubscribable[]
  | (() =>
      | SseSubscribable
      | readonly SseSubscribable[]
      | Promise<SseSubscribable | readonly SseSubscribable[]>);

/** What the conformance suite asks a target to serve at `GET /events`. */
export interface SseTargetSetup {
  /**
   * Stream options, plus the channels to subscribe the stream to (with Last-Event-ID replay).
   * Pass them to the adapter's `sse(options, handler)` as they are: a function form ignores its
   * argument, so it fits every framework's request/context type.
   */
  options: SseStreamOptions & { channel?: SseTargetChannel };
  /** Runs with every opened stream (after it is subscribed to `options.channel`). */
  handler?: (stream: SseStream) => void | Promise<void>;
  /**
   * Serve over cleartext HTTP/2 (h2c, `node:http2` `createServer`) instead of HTTP/1.1.
   * Only set when the target declares `http2: true`.
   */
  http2?: boolean;
}

/** A running server of one target. */
export interface SseTargetServer {
  /** Absolute URL of the SSE endpoint (`http://127.0.0.1:PORT/events`). */
  url: string;
  close(): Promise<void>;
}

/**
 * One way of serving SSE: an adapter (express, koa, hono, fastify) or a bare core binding.
 * `start` must start a real server on 127.0.0.1 port 0 (the `listen` helper does that).
 */
export interface SseTarget {
  /** Shown in the test names: `conformance: <name>`. */
  name: string;
  start(setup: SseTargetSetup): Promise<SseTargetServer>;
  /**
   * `true` when `start({ http2: true })` serves cleartext HTTP/2; the suite then also checks
   * the HTTP/2 response headers. Leave it out for frameworks without HTTP/2 support.
   * @default false
   */
  http2?: boolean;
}
