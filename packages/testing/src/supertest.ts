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
): (res: unknown, callback: (error: Error | null, body: SseTestEvent[]) => void) => void {
  // Typed `unknown`: superagent declares its own Response here, but hands node's IncomingMessage.
  return (res, callback) => {
    const message = res as IncomingMessage;
    collectEvents(message, options, () => message.destroy()).then(
      (events) => callback(null, events),
      (error: Error) => callback(error, []),
    );
  };
}
