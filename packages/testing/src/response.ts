import { collectEvents, type CollectOptions, type SseTestEvent } from './collect';

/**
 * Reads the first `count` events of a fetch `Response` (from `fetch()`, Hono's `app.request()`,
 * or any web handler), then cancels its body.
 *
 * @example
 * const events = await readResponseEvents(await app.request('/events'), { count: 1 });
 */
export function readResponseEvents(
  response: Response,
  options: CollectOptions,
): Promise<SseTestEvent[]> {
  const body = response.body;
  if (!body)
    return Promise.reject(new Error(`the response (status ${response.status}) has no body`));
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
  return collectEvents(chunks, options, () => void reader.cancel().catch(() => undefined));
}
