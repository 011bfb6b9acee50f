/** Sources `SseStream.pipe()` accepts, seen as one kind of async iterator. */

/** Stands for "the client left" in the race between the source and the stream's close. */
export const STOPPED = Symbol('stopped');

/** Stops a source we leave early, so its resources are released; never throws. */
export function stopSource(iterator: AsyncIterator<unknown>): void {
  try {
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  } catch {
    // A source that throws while stopping has nothing more to give us.
  }
}

/** An async iterator over an `AsyncIterable` or a web `ReadableStream` (cancelled on return). */
export function toIterator(
  source: AsyncIterable<unknown> | ReadableStream<unknown>,
): AsyncIterator<unknown> {
  if (!isReadableStream(source)) return source[Symbol.asyncIterator]();
  const reader = source.getReader();
  return {
    next: () => reader.read() as Promise<IteratorResult<unknown>>,
    return: async () => {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}

function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return typeof (value as ReadableStream | null)?.getReader === 'function';
}
