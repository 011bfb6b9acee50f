import { SseError } from '../errors';
import type { SseStream } from '../stream';

/** Anything a stream can be subscribed to: a `Channel` of any event map, a hub's topics. */
export interface SseSubscribable {
  subscribe(stream: SseStream<object>): () => void;
  /**
   * Checks the request before the stream opens. Throwing (or rejecting with) an error carrying
   * `status` answers the request with it and opens no stream: `SseError` `ERR_SSE_ENDED`
   * (status 204) for a client that already has a run's final event.
   */
  beforeOpen?(request: SseOpenRequest): void | Promise<void>;
}

/** What `SseSubscribable.beforeOpen` learns of a request. */
export interface SseOpenRequest {
  /** The client's `Last-Event-ID` (header, else `lastEventId` query parameter). */
  readonly lastEventId: string | undefined;
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
 * for a value that is not a channel. With `request`, each channel's `beforeOpen` checks it
 * (`SseError` `ERR_SSE_ENDED`, status 204, for a run the client has all of).
 */
export function resolveChannels<Context>(
  source: SseChannelSource<Context> | undefined,
  context: Context,
  request?: SseOpenRequest,
): SseChannelList {
  if (typeof source !== 'function') return checked(toChannelList(source ?? []), request);
  const resolved = source(context);
  return isPromiseLike(resolved)
    ? Promise.resolve(resolved).then((list) => checked(found(list), request))
    : checked(found(resolved), request);
}

/** Runs each channel's `beforeOpen`; the list at once unless one of them is async. */
function checked(list: readonly SseSubscribable[], request: SseOpenRequest | undefined) {
  if (!request) return list;
  let waits: PromiseLike<void>[] | undefined;
  for (const channel of list) {
    const result = channel.beforeOpen?.(request);
    if (isPromiseLike(result)) (waits ??= []).push(result);
  }
  return waits ? Promise.all(waits).then(() => list) : list;
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
