import { createAdaptorServer } from '@hono/node-server';
import { listen, type Listening } from './listen';

/**
 * Serves a fetch-style handler (`(request) => Response`) with `@hono/node-server` on
 * 127.0.0.1 port 0, as Node users of `createResponse` do.
 */
export function serveFetch(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<Listening> {
  return listen(createAdaptorServer({ fetch }));
}
