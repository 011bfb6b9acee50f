import { STOPPED, stopSource, toIterator } from './pipe-source';
import type { SsePipeOptions } from './stream-options';
import type { SseStream } from './stream';

/** The body of `SseStream.pipe`: see there. */
export async function pipeSource(
  stream: SseStream<object>,
  source: AsyncIterable<unknown> | ReadableStream<unknown>,
  options: SsePipeOptions,
): Promise<void> {
  const iterator = toIterator(source);
  let stop: () => void = noop;
  const stopped = new Promise<typeof STOPPED>((resolve) => {
    stop = () => resolve(STOPPED);
  });
  const removeListener = stream.onClose(stop);
  let finished = false;
  try {
    while (!stream.closed) {
      const step = await Promise.race([iterator.next(), stopped]);
      if (step === STOPPED) break;
      if (step.done) {
        finished = true;
        break;
      }
      if (stream.closed) break;
      await stream.send(step.value, { event: options.event });
    }
  } finally {
    removeListener();
    // A source that ended needs nothing more; one we leave early (the client left, an item
    // could not be framed) is stopped so its resources are released.
    if (!finished) stopSource(iterator);
  }
}

function noop(): void {}
