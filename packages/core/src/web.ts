import { sseHeaders } from './headers';
import type { SseTransportSink } from './transport';
import { readLastEventId } from './last-event-id';
import { validateStreamOptions } from './options';
import { SseStream, type SseStreamOptions } from './stream';
import { runSseHandler, type SseHandler } from './handler';
import { WebBodyTransport } from './web-transport';
import { HandOffTransport, type HandOffResponse } from './web-handoff';

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
export interface SseBody {
  stream: SseStream;
  body: ReadableStream<Uint8Array>;
}

const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

/**
 * Opens an SSE stream over a web `ReadableStream`, for adapters that build their own
 * `Response` (they can add headers of their framework). The client leaving is seen through
 * `request.signal` and the body's `cancel()`.
 *
 * `nodeResponse`: the Node response the server writes this body into, when there is one
 * (`@hono/node-server`: `c.env.outgoing`). Once the server is seen writing the body into it
 * unchanged, frames are written to it directly (see `HandOffTransport`).
 */
export function createSseBody(
  request: Request,
  options: CreateResponseOptions = {},
  nodeResponse?: HandOffResponse,
): SseBody {
  validateStreamOptions(options);
  const transport = new WebBodyTransport(
    request.signal,
    options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK,
  );
  const body = transport.createBody();
  const open = nodeResponse
    ? (sink: SseTransportSink) => new HandOffTransport(transport, nodeResponse).attach(sink)
    : (sink: SseTransportSink) => transport.attach(sink);
  const stream = new SseStream(open, {
    ...options,
    lastEventId: readLastEventId(request.headers.get('last-event-id'), request.url),
  });
  transport.watchRequest();
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
