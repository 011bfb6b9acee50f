import type { SseStream } from '../stream';
import { subscribeAll } from '../subscribe-all';
import type { SseSubscribable } from './channels';

/** Runs once the stream is open; receives the stream and the framework's own objects. */
export type SseHandler<Args extends unknown[], State extends object = Record<string, unknown>> = (
  stream: SseStream<State>,
  ...args: Args
) => void | Promise<void>;

/**
 * Subscribes an open stream to its channels and runs the handler; anything thrown or
 * rejected from here on goes to the stream's `onError` and closes it.
 */
export function runSseHandler<Args extends unknown[], State extends object>(
  stream: SseStream<State>,
  channels: readonly SseSubscribable[],
  handler: SseHandler<Args, State> | undefined,
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
