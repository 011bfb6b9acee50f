import { SseError } from '../errors';
import type { SseStream } from '../stream';

/** Anything a stream can be subscribed to: a `Channel` of any event map, a hub's topics. */
export interface SseSubscribable {
  subscribe(stream: SseStream<object>): () => void;
}

/** What a `channel` function may return: `undefined` or `null` means "no such channel" (404). */
export type SseChannelResult = SseSubscribable | readonly SseSubscribable[] | undefined | null;

/**
 * One channel, several, or a function of the request/context choosing them. A function that
 * returns `undefined` or `null` (no such room, user, document) is answered `404 Not Found`
 * by every adapter, and no stream opens; `[]` opens a stream with no channel.
 */
export type SseChannelSource<Context> =
  | SseSubscribable
  | readonly SseSubscribable[]
  | ((context: Context) => SseChannelResult | Promise<SseChannelResult>);

/** A list of channels, or the promise of one when the `channel` function is async. */
export type SseChannelList = readonly SseSubscribable[] | Promise<readonly SseSubscribable[]>;

/**
 * Resolves a `channel` option for one request into a list, before the response starts:
 * at once when nothing needs awaiting, else as a promise. Throws (or rejects with) `SseError`
 * `ERR_SSE_NO_CHANNEL` (status 404) when a function finds no channel, and `ERR_SSE_OPTIONS`
 * for a value that is not a channel.
 */
export function resolveChannels<Context>(
  source: SseChannelSource<Context> | undefined,
  context: Context,
): SseChannelList {
  if (typeof source !== 'function') return toChannelList(source ?? []);
  const resolved = source(context);
  return isPromiseLike(resolved) ? Promise.resolve(resolved).then(found) : found(resolved);
}

function found(resolved: SseChannelResult): readonly SseSubscribable[] {
  if (resolved === undefined || resolved === null) {
    throw new SseError('ERR_SSE_NO_CHANNEL', 'No such channel: nothing to subscribe to here', {
      status: 404,
    });
  }
  return toChannelList(resolved);
}

/**
 * Checks a resolved `channel` value and returns it as a list. Throws `SseError`
 * (`ERR_SSE_OPTIONS`) for a value that is not a channel: a bug in the app, not the request.
 */
export function toChannelList(
  resolved: SseSubscribable | readonly SseSubscribable[],
): readonly SseSubscribable[] {
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

/** Calls `next` with the list at once, or once the promise of it settles. */
export function withChannelList<Result>(
  list: SseChannelList,
  next: (channels: readonly SseSubscribable[]) => Result,
): Result | Promise<Result> {
  return isPromiseLike(list) ? list.then(next) : next(list);
}

function isList(
  value: SseSubscribable | readonly SseSubscribable[],
): value is readonly SseSubscribable[] {
  return Array.isArray(value);
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}
