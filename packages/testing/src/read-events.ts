import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectEvents, type CollectOptions, type SseTestEvent } from './collect';
import { alsoOnOpen, startReading, type SseReading } from './reading';

/** What `readEvents` can read from: a URL, a `node:http` server, or a request listener (an Express app, `koaApp.callback()`). */
export type SseTestTarget =
  string | URL | Server | ((req: IncomingMessage, res: ServerResponse) => unknown);

/** Options of `readEvents`. */
export interface ReadEventsOptions extends CollectOptions {
  /** Request headers, e.g. `{ 'last-event-id': '41' }`. */
  headers?: Record<string, string>;
}

/**
 * GETs `path` on `target` and resolves with its first `count` events, then hangs up.
 * A server or listener that is not listening yet is started on 127.0.0.1 port 0 and closed after.
 * Rejects on a non-200 status or a content type other than `text/event-stream`.
 *
 * The returned promise's `opened` resolves once the stream is open and subscribed to its
 * channels: publish after it (or from `onOpen`) and the event is not missed.
 *
 * @example
 * const reading = readEvents(app, '/events', { count: 1 });
 * await reading.opened;
 * await news.publish('hello');
 * expect((await reading).map((e) => e.data)).toEqual(['"hello"']);
 */
export function readEvents(
  target: SseTestTarget,
  path: string,
  options: ReadEventsOptions,
): SseReading {
  return startReading(async (markOpen) => {
    const { url, release } = await resolveTarget(target, path);
    const collect = alsoOnOpen(options, markOpen);
    try {
      return await new Promise<SseTestEvent[]>((resolve, reject) => {
        const req = request(url, {
          headers: { accept: 'text/event-stream', ...options.headers },
          agent: false,
        });
        req.on('error', reject);
        req.on('response', (res) => {
          const type = res.headers['content-type'] ?? '';
          if (res.statusCode !== 200 || !type.startsWith('text/event-stream')) {
            res.resume();
            req.destroy();
            reject(
              new Error(
                `expected 200 text/event-stream from ${url}, got ${res.statusCode} ${type || '(no content-type)'}`,
              ),
            );
            return;
          }
          collectEvents(res, collect, () => req.destroy()).then(resolve, reject);
        });
        req.end();
      });
    } finally {
      await release();
    }
  });
}

async function resolveTarget(
  target: SseTestTarget,
  path: string,
): Promise<{ url: string; release: () => Promise<void> }> {
  if (typeof target === 'string' || target instanceof URL) {
    return { url: new URL(path, target).toString(), release: () => Promise.resolve() };
  }
  const server = typeof target === 'function' ? createServer(target) : target;
  const started = !server.listening;
  if (started) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(path, `http://127.0.0.1:${port}`).toString(),
    release: () =>
      started
        ? new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          })
        : Promise.resolve(),
  };
}
