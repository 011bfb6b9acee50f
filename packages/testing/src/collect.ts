import { createParser } from 'eventsource-parser';

/** One event as a browser's EventSource would dispatch it. */
export interface SseTestEvent {
  /** The event name (`message` when the server sent none). */
  event: string;
  /** The data, lines joined with `\n`. */
  data: string;
  /** The `id:` of this event, if it carried one. */
  id: string | undefined;
}

/** How many events to wait for, and for how long. */
export interface CollectOptions {
  /** Resolve once this many events have arrived. */
  count: number;
  /**
   * Reject if they have not all arrived by then.
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * Called once, when the stream's first bytes arrive: the server has opened the stream and
   * subscribed it to its channels, so what is published from here on reaches it. A throw or a
   * rejected promise from it fails the read.
   *
   * @example
   * await readEvents(app, '/events', { count: 1, onOpen: () => news.publish('hi') });
   */
  onOpen?: () => unknown;
}

/**
 * Reads chunks until `count` events are parsed, then stops (calling `stop`).
 * Rejects when the body ends early or time runs out, saying how many events came.
 */
export function collectEvents(
  chunks: AsyncIterable<Uint8Array | string>,
  options: CollectOptions,
  stop: () => void,
): Promise<SseTestEvent[]> {
  const { count, timeoutMs = 5000, onOpen } = options;
  if (!Number.isSafeInteger(count) || count < 0) {
    return Promise.reject(
      new RangeError(`count must be a non-negative integer, got ${String(count)}`),
    );
  }
  const events: SseTestEvent[] = [];
  const parser = createParser({
    onEvent: (message) =>
      events.push({ event: message.event ?? 'message', data: message.data, id: message.id }),
  });
  const decoder = new TextDecoder();
  return new Promise<SseTestEvent[]>((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      if (error) reject(error);
      else resolve(events.slice(0, count));
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `expected ${count} SSE events within ${timeoutMs} ms, got ${events.length}: ${JSON.stringify(events)}`,
          ),
        ),
      timeoutMs,
    );
    if (count === 0) return finish();
    let open = false;
    const opening = () => {
      open = true;
      const result = onOpen?.();
      if (isThenable(result)) result.then(undefined, (error: unknown) => finish(toError(error)));
    };
    void (async () => {
      try {
        for await (const chunk of chunks) {
          if (!open) opening();
          parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
          if (events.length >= count) return finish();
        }
        finish(
          new Error(
            `the stream ended after ${events.length} of ${count} SSE events: ${JSON.stringify(events)}`,
          ),
        );
      } catch (error) {
        finish(settled ? undefined : toError(error));
      }
    })();
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
