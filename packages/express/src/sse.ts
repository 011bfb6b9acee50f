import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  parseSseArguments,
  resolveChannels,
  runSseHandler,
  validateStreamOptions,
  type SseHandlerOptions,
  type SseStream,
} from '@sse/core';
import { openNodeStream } from '@sse/core/node';

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
  const { options, handler } = parseSseArguments<ExpressSseOptions, ExpressSseHandler>(
    first,
    second,
  );
  const { channel, onError, ...streamOptions } = options;
  // Bad options are a programming error: report them when the route is declared.
  validateStreamOptions(streamOptions);

  return (req: Request, res: Response, next: NextFunction): void => {
    void resolveChannels(channel, req).then((channels) => {
      let stream: SseStream;
      try {
        stream = openNodeStream(req, res, {
          ...streamOptions,
          onError: onError ?? ((error) => next(error)),
        });
      } catch (error) {
        next(error);
        return;
      }
      runSseHandler(stream, channels, handler, [req, res]);
    }, next);
  };
}
