import { SseError } from './errors';
import type { SseStream, SseStreamOptions } from './stream';
import { subscribeAll } from './subscribe-all';

/** Anything a stream can be subscribed to: a `Channel` of any event map. */
export interface SseSubscribable {
  subscribe(stream: SseStream): () => void;
}

/** One channel, several, or a function of the request/context choosing them. */
export type SseChannelSource<Context> =
  | SseSubscribable
  | readonly SseSubscribable[]
  | ((
      context: Context,
    ) =>
      | SseSubscribable
      | readonly SseSubscribable[]
      | undefined
      | Promise<SseSubscribable | readonly SseSubscribable[] | undefined>);

/** The options every adapter's `sse()` takes: stream options plus `channel`. */
export interface SseHandlerOptions<Context> extends SseStreamOptions {
  /** Channels the stream is subscribed to when it opens (with Last-Event-ID replay). */
  channel?: SseChannelSource<Context>;
}

/** Runs once the stream is open; receives the stream and the framework's own objects. */
export type SseHandler<Args extends unknown[]> = (
  stream: SseStream,
  ...args: Args
) => void | Promise<void>;

/**
 * Sorts out the three call forms shared by every adapter: `sse(handler)`, `sse(options)`,
 * `sse(options, handler)`.
 */
export function parseSseArguments<
  Options extends object,
  Handler extends (...args: never[]) => unknown,
>(
  first: Options | Handler | undefined,
  second: Handler | undefined,
): { options: Options; handler: Handler | undefined } {
  if (typeof first === 'function') {
    if (second !== undefined) {
      throw new SseError(
        'ERR_SSE_OPTIONS',
        'sse(handler) takes no second argument; use sse(options, handler)',
      );
    }
    return { options: {} as Options, handler: first };
  }
  if (first !== undefined && (first === null || typeof first !== 'object')) {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `sse() expects options or a handler, got ${String(first)}`,
    );
  }
  if (second !== undefined && typeof second !== 'function') {
    throw new SseError(
      'ERR_SSE_OPTIONS',
      `sse(options, handler): handler must be a function, got ${typeof second}`,
    );
  }
  return { options: first ?? ({} as Options), handler: second };
}

/** Resolves a `channel` option for one request into a list (before the response starts). */
export async function resolveChannels<Context>(
  source: SseChannelSource<Context> | undefined,
  context: Context,
): Promise<readonly SseSubscribable[]> {
  return toChannelList(typeof source === 'function' ? await source(context) : source);
}

/**
 * Checks a resolved `channel` value (not a function) and returns it as a list; the synchronous
 * part of `resolveChannels`, for adapters that answer without awaiting when they can.
 * Throws `SseError` (`ERR_SSE_OPTIONS`) for a value that is not a channel.
 */
export function toChannelList(
  resolved: SseSubscribable | readonly SseSubscribable[] | undefined,
): readonly SseSubscribable[] {
  if (resolved === undefined) return [];
  const list = isList(resolved) ? resolved : [resolved];
  for (const channel of list) {
    if (typeof channel?.subscribe !== 'function') {
      throw new SseError(
        'ERR_SSE_OPTIONS',
        'channel must be a channel (createChannel()), a list of them, or a function returning them',
      );
    }
  }
  return list;
}

function isList(
  value: SseSubscribable | readonly SseSubscribable[],
): value is readonly SseSubscribable[] {
  return Array.isArray(value);
}

/**
 * Subscribes an open stream to its channels and runs the handler; anything thrown or
 * rejected from here on goes to the stream's `onError` and closes it.
 */
export function runSseHandler<Args extends unknown[]>(
  stream: SseStream,
  channels: readonly SseSubscribable[],
  handler: SseHandler<Args> | undefined,
  args: Args,
): void {
  try {
    // Several channels share the client's one Last-Event-ID: replay them as one sequence.
    if (channels.length > 1) subscribeAll(stream, channels);
    else channels[0]?.subscribe(stream);
    const result = handler?.(stream, ...args);
    if (result && typeof result.then === 'function') {
      result.then(undefined, (error: unknown) => stream.fail(error));
    }
  } catch (error) {
    stream.fail(error);
  }
}
