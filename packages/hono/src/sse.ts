import { type SseStream, type SseSubscribable } from '@sse/core';
import {
  createSseBody,
  createSseHeaders,
  createSseRoute,
  isSseEnded,
  readLastEventId,
  runSseHandler,
  withChannelList,
  type SseHandlerOptions,
} from '@sse/core/adapter';
import type { Context, Env, Handler, Input } from 'hono';
import { handOffTo } from './hand-off';
import { nodeServerResponse } from './node-server';
import { toHttpException } from './http-exception';

/**
 * Options of `sse()`: every stream option (`heartbeat`, `maxBufferedBytes`, `retry`,
 * `serialize`, `onError`) plus `channel`.
 */
export interface HonoSseOptions<
  E extends Env = Env,
  P extends string = string,
  I extends Input = Input,
> extends SseHandlerOptions<Context<E, P, I>> {
  /**
   * Bytes queued in the response body before `send()` waits for the client to read.
   * @default 65536
   */
  highWaterMark?: number;
}

/**
 * Runs once the stream is open; receives the stream and Hono's context. `State` is the type of
 * `stream.state`, the data the handler keeps for this connection (it starts empty).
 */
export type HonoSseHandler<
  E extends Env = Env,
  P extends string = string,
  I extends Input = Input,
  State extends object = Record<string, unknown>,
> = (stream: SseStream<State>, c: Context<E, P, I>) => void | Promise<void>;

// Set by an upstream middleware, they would describe a body of known length or a framing
// that HTTP/2 forbids; the runtime picks the framing of a streamed body itself.
const CONFLICTING_HEADERS = ['content-length', 'transfer-encoding'] as const;
// Built once: the same for every response.
const SSE_HEADERS: readonly (readonly [string, string])[] = [...createSseHeaders()];

/**
 * A Hono handler that answers with a Server-Sent Events stream:
 * `app.get('/events', sse({ channel }))`, `sse(handler)` or `sse(options, handler)`.
 *
 * `channel` (one, a list, or a function of the context) is resolved before the response
 * starts, so what it throws goes to `app.onError`. Headers set earlier with `c.header()`
 * (CORS, cookies, tracing) are kept. Errors raised once the stream is open go to
 * `options.onError` (default: `console.error`, as Hono's own streaming helpers report them),
 * then the stream closes with reason `"error"`.
 *
 * Throws `SseError` (`ERR_SSE_OPTIONS`) or `SseFormatError` at once for bad options.
 */
export function sse<
  E extends Env = Env,
  P extends string = string,
  I extends Input = Input,
  State extends object = Record<string, unknown>,
>(handler: HonoSseHandler<E, P, I, State>): Handler<E, P, I, Response | Promise<Response>>;
export function sse<
  E extends Env = Env,
  P extends string = string,
  I extends Input = Input,
  State extends object = Record<string, unknown>,
>(
  options?: HonoSseOptions<E, P, I>,
  handler?: HonoSseHandler<E, P, I, State>,
): Handler<E, P, I, Response | Promise<Response>>;
export function sse<E extends Env, P extends string, I extends Input, State extends object>(
  first?: HonoSseOptions<E, P, I> | HonoSseHandler<E, P, I, State>,
  second?: HonoSseHandler<E, P, I, State>,
): Handler<E, P, I, Response | Promise<Response>> {
  // A bad option is a programming error: reported where the route is declared.
  const route = createSseRoute<
    Context<E, P, I>,
    HonoSseOptions<E, P, I>,
    HonoSseHandler<E, P, I, State>
  >(first, second);
  const { handler } = route;
  const streamOptions = { ...route.streamOptions, onError: route.onError ?? logStreamError };

  const open = (c: Context<E, P, I>, channels: readonly SseSubscribable[]): Response => {
    const outgoing = nodeServerResponse(c);
    const { stream, body } = createSseBody(
      c.req.raw,
      streamOptions,
      outgoing && handOffTo(outgoing),
    );
    // Set through c.header(), next to what earlier middleware set: once a middleware has read
    // c.res (hono/cors does), Hono copies those headers over the response we return.
    for (const [name, value] of SSE_HEADERS) c.header(name, value);
    for (const name of CONFLICTING_HEADERS) c.header(name, undefined);
    const response = c.newResponse(body, 200);
    // `state` starts empty: its type is what the handler keeps there.
    runSseHandler(stream as SseStream<State>, channels, handler, [c]);
    return response;
  };

  return (c) => {
    // @hono/node-server (1.19) creates the request's signal on first read, and only a signal
    // that exists when the client leaves is aborted: read it before anything async.
    void c.req.raw.signal;
    // Answered without a promise when `channel` is not a function: @hono/node-server then keeps no
    // suspended async frame per open stream.
    // A client that has all of a run (its final id) gets 204: an EventSource stops there.
    const fail = (error: unknown): Response =>
      isSseEnded(error) ? c.body(null, 204) : rethrowAsHttpException(error);
    try {
      const lastEventId = readLastEventId(c.req.header('last-event-id'), c.req.url);
      const opening = withChannelList(route.channels(c, { lastEventId }), (channels) =>
        open(c, channels),
      );
      return opening instanceof Promise ? opening.catch(fail) : opening;
    } catch (error) {
      return fail(error);
    }
  };
}

/**
 * Reports an error raised after the response started when the route has no `onError`. The
 * response is under way, so `app.onError` (which answers with a new response) cannot take it;
 * Hono's own `stream()` and `streamSSE()` helpers (4.x) log such an error with `console.error`,
 * as its default error handler logs the errors it answers: do the same.
 */
function logStreamError(error: unknown): void {
  // eslint-disable-next-line no-console -- Hono's way of reporting an error it cannot answer
  console.error(error);
}

/** An error meant for the client (`status` 4xx/5xx) reaches `app.onError` as Hono's own kind. */
function rethrowAsHttpException(error: unknown): never {
  throw toHttpException(error);
}
