import type { CollectOptions, SseTestEvent } from './collect';

/**
 * What `readEvents` and `readResponseEvents` return: a promise of the events (await it as
 * before) that also says when the stream opened.
 */
export interface SseReading extends Promise<SseTestEvent[]> {
  /**
   * Resolves once the stream's first bytes have arrived. Every `@sse` binding subscribes a stream
   * to its channels in the same tick as it writes those bytes, so from then on
   * `channel.publish(...)` reaches it.
   * Rejects with the read's error when the read fails first (a 404, a timeout).
   */
  readonly opened: Promise<void>;
}

/**
 * Runs `read`, handing it the function to call when the first bytes arrive, and returns its
 * events as an `SseReading`.
 */
export function startReading(read: (markOpen: () => void) => Promise<SseTestEvent[]>): SseReading {
  let markOpen!: () => void;
  let fail!: (error: unknown) => void;
  const opened = new Promise<void>((resolve, reject) => {
    markOpen = resolve;
    fail = reject;
  });
  // Callers who only await the events must not get an unhandled rejection from `opened`.
  opened.catch(() => undefined);
  const events = read(markOpen).then(
    (result) => {
      fail(new Error('the read finished before the stream sent anything'));
      return result;
    },
    (error: unknown) => {
      fail(error);
      throw error;
    },
  );
  return Object.assign(events, { opened });
}

/** `options` with an `onOpen` that calls `markOpen` first, then the caller's own. */
export function alsoOnOpen<Options extends CollectOptions>(
  options: Options,
  markOpen: () => void,
): Options {
  return {
    ...options,
    onOpen: () => {
      markOpen();
      return options.onOpen?.();
    },
  };
}
