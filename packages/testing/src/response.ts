import { collectEvents, type CollectOptions } from './collect';
import { alsoOnOpen, startReading, type SseReading } from './reading';

/**
 * Reads the first `count` events of a fetch `Response` (from `fetch()`, Hono's `app.request()`,
 * or any web handler), then cancels its body. `opened` on the returned promise resolves once the
 * body's first bytes arrive (the stream is open and subscribed), as for `readEvents`.
 *
 * @example
 * const events = await readResponseEvents(await app.request('/events'), { count: 1 });
 */
export function readResponseEvents(response: Response, options: CollectOptions): SseReading {
  return startReading((markOpen) => {
    const body = response.body;
    if (!body) {
      return Promise.reject(new Error(`the response (status ${response.status}) has no body`));
    }
    const reader = body.getReader();
    const chunks: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      },
    };
    const collect = alsoOnOpen(options, markOpen);
    return collectEvents(chunks, collect, () => void reader.cancel().catch(() => undefined));
  });
}
