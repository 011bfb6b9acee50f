import type { IncomingMessage } from 'node:http';
import { collectEvents, type CollectOptions, type SseTestEvent } from './collect';

/**
 * A response parser for supertest/superagent that reads the first `count` events into
 * `res.body`, then hangs up, so an endless stream can be asserted on like any response.
 *
 * @example
 * const res = await request(app).get('/events').buffer(true).parse(sseParser({ count: 2 }));
 * expect(res.body[0].data).toBe('"hello"');
 */
export function sseParser(
  options: CollectOptions,
): (res: IncomingMessage, callback: (error: Error | null, body: SseTestEvent[]) => void) => void {
  return (res, callback) => {
    collectEvents(res, options, () => res.destroy()).then(
      (events) => callback(null, events),
      (error: Error) => callback(error, []),
    );
  };
}
