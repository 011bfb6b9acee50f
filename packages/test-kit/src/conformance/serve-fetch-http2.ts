import { createServer } from 'node:http2';
import { createAdaptorServer } from '@hono/node-server';
import { listen, type Listening } from '../listen';

/**
 * Serves a fetch handler with `@hono/node-server` over cleartext HTTP/2 (h2c) on 127.0.0.1
 * port 0; the HTTP/1.1 twin is `serveFetch`.
 */
export function serveFetchHttp2(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<Listening> {
  return listen(createAdaptorServer({ fetch, createServer }));
}
