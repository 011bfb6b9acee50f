import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type SseStream } from '@sse/core';
import {
  createSseRoute,
  isSseEnded,
  readLastEventId,
  runSseHandler,
  withChannelList,
  type SseHandlerOptions,
  type SseSubscribable,
} from '@sse/core/adapter';
import { openNodeStream } from '@sse/core/node';
import { shareResponseShape } from './response-shape';

/**
 * Options of `sse()`: every stream option of `@sse/core` (`heartbeat`, `retry`,
 * `maxBufferedBytes`, `serialize`, `onError`) plus `channel`: a channel, a list of channels,
 * or a function of the request returning them (possibly async).
 */
export type ExpressSseOptions = SseHandlerOptions<Request>;

/**
 * Runs once the stream is open, with the stream and Express's own `req` and `res`. `State` is
 * the type of `stream.state`, the data the handler keeps for this connection (it starts empty).
 */
export type ExpressSseHandler<State extends object = Record<string, unknown>> = (
  stream: SseStream<State>,
  req: Request,
  res: Response,
) => void | Promise<void>;

/**
 * An Express route handler that answers with a Server-Sent Events stream, subscribed to the
 * `channel` option (with Last-Event-ID replay) and handed to `handler`.
 *
 * Errors before the stream opens (a throwing `channel` function, a response already started)
 * go to `next(err)`. Errors after it opened (a throwing or rejecting handler) go to
 * `options.onError`, else to `next(err)`, and the stream closes.
 *
 * @example
 * app.get('/events', sse({ channel }));
 * app.get('/clock', sse((stream) => { ... }));
 * app.get('/me', sse<{ userId: string }>((stream, req) => { stream.state.userId = ... }));
 */
export function sse<State extends object = Record<string, unknown>>(
  handler: ExpressSseHandler<State>,
): RequestHandler;
export function sse<State extends object = Record<string, unknown>>(
  options?: ExpressSseOptions,
  handler?: ExpressSseHandler<State>,
): RequestHandler;
export function sse<State extends object>(
  first?: ExpressSseOptions | ExpressSseHandler<State>,
  second?: ExpressSseHandler<State>,
): RequestHandler {
  const route = createSseRoute<Request, ExpressSseOptions, ExpressSseHandler<State>>(first, second);
  const { streamOptions, onError, handler } = route;

  return (req: Request, res: Response, next: NextFunction): void => {
    const open = (channels: readonly SseSubscribable[]): void => {
      let stream: SseStream<State>;
      try {
        shareResponseShape(res);
        // `state` starts empty: its type is what the handler keeps there.
        stream = openNodeStream<State>(req, res, {
          ...streamOptions,
          onError: onError ?? ((error) => next(error)),
        });
      } catch (error) {
        next(error);
        return;
      }
      runSseHandler(stream, channels, handler, [req, res]);
    };
    // A client that has all of a run (its final id) gets 204: an EventSource stops there.
    const fail = (error: unknown): void => {
      if (isSseEnded(error)) res.status(204).end();
      else next(error);
    };
    try {
      const lastEventId = readLastEventId(req.headers['last-event-id'], req.url);
      // Answered without a promise when `channel` is not a function.
      const opening = withChannelList(route.channels(req, { lastEventId }), open);
      if (opening instanceof Promise) opening.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}
