import type { Context, Middleware, Next } from 'koa';
import { type SseStream } from '@sse/core';
import {
  createSseRoute,
  isSseEnded,
  readLastEventId,
  runSseHandler,
  type SseHandlerOptions,
} from '@sse/core/adapter';
import { openNodeStream } from '@sse/core/node';

declare module 'koa' {
  interface ExtendableContext {
    /** The SSE stream of this request, set by `sse()` once the response has started. */
    sse?: SseStream | undefined;
  }
}

/**
 * Options of `sse()`: every stream option of `@sse/core` (`heartbeat`, `retry`,
 * `maxBufferedBytes`, `serialize`, `onError`) plus `channel`: a channel, a list of channels,
 * or a function of `ctx` returning them (possibly async).
 */
export type KoaSseOptions = SseHandlerOptions<Context>;

/**
 * Koa's `ctx` once `sse()` has opened the stream: `ctx.sse` is that stream, its `state` typed
 * `State`. Annotate a later middleware's `ctx` with it to read `ctx.sse` typed.
 */
export type KoaSseContext<State extends object = Record<string, unknown>> = Context & {
  sse: SseStream<State>;
};

/**
 * Runs once the stream is open, with the stream and Koa's `ctx`. `State` is the type of
 * `stream.state` (and `ctx.sse.state`), the data the handler keeps for this connection (it
 * starts empty).
 */
export type KoaSseHandler<State extends object = Record<string, unknown>> = (
  stream: SseStream<State>,
  ctx: KoaSseContext<State>,
) => void | Promise<void>;

/**
 * Koa middleware that answers with a Server-Sent Events stream: it subscribes the stream to
 * the `channel` option (with Last-Event-ID replay), sets `ctx.sse`, then runs `handler`, or
 * `await next()` when there is none, so later middleware can use `ctx.sse`. It resolves once
 * `next()` has (with a handler: once the handler has started), never waiting for the stream
 * to end unless downstream middleware do.
 *
 * Errors before the stream opens (a throwing `channel` function, a response already started)
 * are thrown into Koa's error handling. Errors after it opened (a throwing handler or later
 * middleware) go to `options.onError`, else to `ctx.app.emit('error', err, ctx)`, and the
 * stream closes; they are not rethrown to upstream middleware, as the response has started.
 *
 * @example
 * router.get('/events', sse({ channel }));
 * router.get('/clock', sse((stream, ctx) => { ... }));
 * router.get('/me', sse<{ userId: string }>((stream, ctx) => { stream.state.userId = ... }));
 */
export function sse<State extends object = Record<string, unknown>>(
  handler: KoaSseHandler<State>,
): Middleware;
export function sse<State extends object = Record<string, unknown>>(
  options?: KoaSseOptions,
  handler?: KoaSseHandler<State>,
): Middleware;
export function sse<State extends object>(
  first?: KoaSseOptions | KoaSseHandler<State>,
  second?: KoaSseHandler<State>,
): Middleware {
  // Bad options are a programming error: reported when the middleware is created.
  const route = createSseRoute<Context, KoaSseOptions, KoaSseHandler<State>>(first, second);
  const { streamOptions, onError, handler } = route;

  return async (ctx: Context, next: Next): Promise<void> => {
    const lastEventId = readLastEventId(ctx.get('last-event-id'), ctx.url);
    let channels;
    try {
      channels = await route.channels(ctx, { lastEventId });
    } catch (error) {
      // A client that has all of a run (its final id) gets 204: an EventSource stops there.
      if (!isSseEnded(error)) throw error;
      ctx.status = 204;
      return;
    }
    const stream = openNodeStream(ctx.req, ctx.res, {
      ...streamOptions,
      onError: onError ?? ((error) => ctx.app.emit('error', error, ctx)),
    });
    // The response is ours now: Koa must not answer it (it would send its default 404).
    ctx.respond = false;
    ctx.sse = stream;
    let downstream: Promise<unknown> | undefined;
    // `state` starts empty: its type is what the handler keeps there.
    runSseHandler(stream as SseStream<State>, channels, handler ?? (() => (downstream = next())), [
      ctx as KoaSseContext<State>,
    ]);
    // Awaited, as Koa middleware do: upstream code after its `await next()` runs once the
    // downstream middleware have set the stream up. A rejection has gone to onError already
    // (runSseHandler): the response has started, so Koa could no longer answer with it.
    await downstream?.catch(() => undefined);
  };
}
