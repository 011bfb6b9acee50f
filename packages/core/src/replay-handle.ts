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
  /** Writes one event of this channel to the stream (counted in the channel's stats). */
  deliver(event: BackplaneEvent): void;
  /**
   * Stops holding live events back and returns those held so far, oldest first: from now on
   * they go straight to the stream. `undefined` when the stream is no longer subscribed.
   */
  goLive(): BackplaneEvent[] | undefined;
  /** Removes the subscriber. */
  unsubscribe: () => void;
}

/** @internal A channel that can be replayed together with others (see `subscribeAll`). */
export interface ReplaySource {
  [openReplay](stream: SseStream, lastEventId: string): ReplayHandle | undefined;
}

/** @internal Whether `value` is a channel of this package. */
export function isReplaySource(value: unknown): value is ReplaySource {
  return typeof (value as Partial<ReplaySource> | null)?.[openReplay] === 'function';
}
