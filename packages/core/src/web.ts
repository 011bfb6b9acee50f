import { sseHeaders } from './headers';
import { readLastEventId } from './last-event-id';
import { validateStreamOptions } from './options';
import { SseStream, type SseStreamOptions } from './stream';
import { runSseHandler, type SseHandler } from './adapter/run-handler';
import type { SseTransportFactory } from './transport';
import { WebBodyTransport } from './web-transport';

/** Options of `createResponse`. */
export interface CreateResponseOptions extends SseStreamOptions {
  /** Extra response headers (CORS, tracing, cookies). The SSE headers win on conflict. */
  headers?: HeadersInit;
  /**
   * Bytes queued in the body before `send()` waits for the client to read.
   * @default 65536
   */
  highWaterMark?: number;
}

/** A stream and the body a fetch-style runtime serves for it. */
export interface SseBody<State extends object = Record<string, unknown>> {
  stream: SseStream<State>;
  body: ReadableStream<Uint8Array>;
}

const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

/**
 * Opens an SSE stream over a web `ReadableStream`, for adapters that build their own
 * `Response` (they can add headers of their framework). The client leaving is seen through
 * `request.signal` and the body's `cancel()`.
 *
 * `transport`: wraps the body's transport, for an adapter that knows a faster way to its
 * server's connection (`@sse/hono` on `@hono/node-server`); by default frames go through the
 * body.
 */
export function createSseBody<State extends object = Record<string, unknown>>(
  request: Request,
  options: CreateResponseOptions = {},
  transport?: (body: WebBodyTransport) => SseTransportFactory,
): SseBody<State> {
  const checked = validateStreamOptions(options);
  const web = new WebBodyTransport(
    request.signal,
    options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
  );
  const body = web.createBody();
  const stream = new SseStream<State>(transport ? transport(web) : (sink) => web.attach(sink), {
    ...options,
    checked,
    lastEventId: readLastEventId(request.headers.get('last-event-id'), request.url),
  });
  web.watchRequest();
  return { stream, body };
}

/** The SSE response headers for a fetch-style runtime, merged over `extra`. */
export function createSseHeaders(extra?: HeadersInit): Headers {
  const headers = new Headers(extra);
  // Fetch runtimes speak HTTP/2 as often as HTTP/1.1 and add their own connection handling.
  for (const [name, value] of Object.entries(sseHeaders(2))) headers.set(name, value);
  headers.delete('content-length');
  return headers;
}

/**
 * Answers `request` with an SSE stream, for every fetch-style runtime (Bun, Deno, Workers,
 * `@hono/node-server`...). `handler` runs once the response is built; what it throws goes to
 * `onError` and closes the stream.
 */
export function createResponse(
  request: Request,
  options: CreateResponseOptions = {},
  handler?: SseHandler<[Request]>,
): Response {
  const { stream, body } = createSseBody(request, options);
  const response = new Response(body, { status: 200, headers: createSseHeaders(options.headers) });
  if (handler) runSseHandler(stream, [], handler, [request]);
  return response;
}
