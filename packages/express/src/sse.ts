import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type SseStream } from '@sse/core';
import {
  createSseRoute,
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

/** Runs once the stream is open, with the stream and Express's own `req` and `res`. */
export type ExpressSseHandler = (
  stream: SseStream,
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
 */
export function sse(handler: ExpressSseHandler): RequestHandler;
export function sse(options?: ExpressSseOptions, handler?: ExpressSseHandler): RequestHandler;
export function sse(
  first?: ExpressSseOptions | ExpressSseHandler,
  second?: ExpressSseHandler,
): RequestHandler {
  const route = createSseRoute<Request, ExpressSseOptions, ExpressSseHandler>(first, second);
  const { streamOptions, onError, handler } = route;

  return (req: Request, res: Response, next: NextFunction): void => {
    const open = (channels: readonly SseSubscribable[]): void => {
      let stream: SseStream;
      try {
        shareResponseShape(res);
        stream = openNodeStream(req, res, {
          ...streamOptions,
          onError: onError ?? ((error) => next(error)),
        });
      } catch (error) {
        next(error);
        return;
      }
      runSseHandler(stream, channels, handler, [req, res]);
    };
    try {
      // Answered without a promise when `channel` is not a function.
      const opening = withChannelList(route.channels(req), open);
      if (opening instanceof Promise) opening.catch(next);
    } catch (error) {
      next(error);
    }
  };
}
