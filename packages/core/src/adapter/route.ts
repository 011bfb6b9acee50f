import { validateStreamOptions } from '../options';
import type { SseStreamOptions } from '../stream';
import { parseSseArguments } from './arguments';
import {
  resolveChannels,
  type SseChannelList,
  type SseChannelSource,
  type SseOpenRequest,
} from './channels';

/** The options every adapter's `sse()` takes: stream options plus `channel`. */
export interface SseHandlerOptions<Context> extends SseStreamOptions {
  /**
   * Channels the stream is subscribed to when it opens (with Last-Event-ID replay): one, a
   * list, or a function of the request returning them. A function returning `undefined` or
   * `null` is answered 404; an error it throws carrying `status` is answered with that status.
   */
  channel?: SseChannelSource<Context>;
}

/** One `sse(...)` call of an adapter, checked once when the route is declared. */
export interface SseRoute<Context, Options extends SseHandlerOptions<Context>, Handler> {
  /** The options without `channel` and `onError`, validated. */
  readonly streamOptions: Omit<Options, 'channel' | 'onError'>;
  /** The user's `onError`, if any. */
  readonly onError: Options['onError'];
  readonly handler: Handler | undefined;
  /**
   * The channels of one request: a list at once when `channel` is not a function (no await,
   * no promise), else a promise. Throws or rejects with what the `channel` function threw, or
   * `SseError` 404 when it found none. With `request`, the channels check it before the
   * stream opens (`SseError` 204 `ERR_SSE_ENDED`: answer with `isSseEnded`).
   */
  channels(context: Context, request?: SseOpenRequest): SseChannelList;
}

/**
 * Reads an adapter's `sse(handler)`, `sse(options)` or `sse(options, handler)` arguments and
 * validates the stream options once, so a mistake is reported where the route is declared
 * and no request pays for the checks again.
 */
export function createSseRoute<
  Context,
  Options extends SseHandlerOptions<Context>,
  Handler extends (...args: never[]) => unknown,
>(
  first: Options | Handler | undefined,
  second: Handler | undefined,
): SseRoute<Context, Options, Handler> {
  const { options, handler } = parseSseArguments<Options, Handler>(first, second);
  const { channel, onError, ...streamOptions } = options;
  validateStreamOptions(streamOptions);
  return {
    streamOptions,
    onError,
    handler,
    channels: (context, request) => resolveChannels(channel, context, request),
  };
}
