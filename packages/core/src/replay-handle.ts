import type { BackplaneEvent, BackplaneReadResult } from './backplane';
import type { SseStream } from './stream';

/**
 * @internal The key of the method by which a channel of this package subscribes a stream with
 * its live events held back, so that `subscribeAll` can replay several channels as one
 * sequence. Not part of the public API.
 */
export const openReplay: unique symbol = Symbol('@sse/core openReplay');

/** @internal One stream subscribed to one channel, its live events held back until `goLive`. */
export interface ReplayHandle {
  /** The channel's gap event name; `false` sends none. */
  readonly gapEvent: string | false;
  /** The channel's retained events after the stream's last id. */
  read(): Promise<BackplaneReadResult>;
  /**
   * Writes one event of this channel to the stream (counted in the channel's stats); `false`
   * when the client is behind and the replay should wait for `stream.writable()`.
   */
  deliver(event: BackplaneEvent): boolean;
  /**
   * The live events held back since the last call, oldest first (they stay held back).
   * `undefined` when the stream is no longer subscribed.
   */
  takeQueued(): BackplaneEvent[] | undefined;
  /**
   * Stops holding live events back, if none is waiting: from then on they go straight to the
   * stream. Returns `false` (and changes nothing) while some are waiting.
   */
  goLive(): boolean;
  /** Removes the subscriber. */
  unsubscribe: () => void;
}

/** @internal A channel that can be replayed together with others (see `subscribeAll`). */
export interface ReplaySource {
  [openReplay](
    stream: SseStream<object>,
    lastEventId: string,
    filter?: (event: never) => boolean,
  ): ReplayHandle | undefined;
}

/** @internal Whether `value` is a channel of this package. */
export function isReplaySource(value: unknown): value is ReplaySource {
  return typeof (value as Partial<ReplaySource> | null)?.[openReplay] === 'function';
}
