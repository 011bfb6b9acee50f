import { sseHeaders } from './headers';
import { readLastEventId } from './last-event-id';
import { validateStreamOptions } from './options';
import { SseStream, type SseStreamOptions } from './stream';
import type { SseChunk, SseTransport, SseTransportSink } from './transport';
import { runSseHandler, type SseHandler } from './handler';

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

const encoder = new TextEncoder();
const DEFAULT_HIGH_WATER_MARK = 64 * 1024;

/**
 * Opens an SSE stream over a web `ReadableStream`, for adapters that build their own
 * `Response` (they can add headers of their framework). The client leaving is seen through
 * `request.signal` and the body's `cancel()`.
 */
export function createSseBody(request: Request, options: CreateResponseOptions = {}): SseBody {
  validateStreamOptions(options);
  const highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let sink!: SseTransportSink;
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        controller = c;
      },
      pull: () => sink.drain(),
      cancel: () => sink.disconnect(),
    },
    { highWaterMark, size: (chunk) => chunk.byteLength },
  );
  let done = false;
  const onAbort = () => sink.disconnect();
  const transport: SseTransport = {
    write(chunk: SseChunk): boolean {
      if (done) return false;
      controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      return (controller.desiredSize ?? 0) > 0;
    },
    get bufferedBytes() {
      return done ? 0 : highWaterMark - (controller.desiredSize ?? highWaterMark);
    },
    end() {
      if (done) return;
      done = true;
      request.signal.removeEventListener('abort', onAbort);
      controller.close();
    },
    destroy() {
      if (done) return;
      done = true;
      request.signal.removeEventListener('abort', onAbort);
      // The client is gone and the server drops the body: an errored body would be reported
      // as a failed response on every disconnect (@hono/node-server 1.19 logs it).
      if (request.signal.aborted) return controller.close();
      // error() drops whatever the client has not read yet; close() would keep it.
      controller.error(new Error('SSE stream closed'));
    },
  };
  const stream = new SseStream(
    (s) => {
      sink = s;
      return transport;
    },
    {
      ...options,
      lastEventId: readLastEventId(request.headers.get('last-event-id'), request.url),
    },
  );
  if (request.signal.aborted) sink.disconnect();
  else request.signal.addEventListener('abort', onAbort, { once: true });
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
