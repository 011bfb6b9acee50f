import { createServer } from 'node:http';
import Koa from 'koa';
import Koa2 from 'koa2';
import Router from '@koa/router';
import cors from '@koa/cors';
import { describe } from 'vitest';
import { describeCrossOrigin, describeRequests, listen } from '@sse/test-kit';
import { sse } from './index';

// The behaviours every adapter shares, written once in @sse/test-kit, run on Koa.

/** Serves a Koa app on 127.0.0.1, port 0. */
function listenKoa(app: Koa) {
  const callback = app.callback();
  return listen(createServer((req, res) => void callback(req, res)));
}

// @koa/router puts route parameters on ctx.params.
const roomOf = (ctx: Koa.Context) => String((ctx.params as Record<string, string>).room);

describe.each([
  ['koa 3', Koa],
  ['koa 2', Koa2],
])('sse() on %s', (_name, App) => {
  describeCrossOrigin({
    name: '@koa/cors',
    async start({ origin, channel, handler }) {
      const app = new App();
      app.use(cors({ origin, credentials: true }));
      // sse() answers every method: only @koa/cors keeps a preflight from opening a stream.
      app.use(
        sse({ channel, heartbeat: false }, (stream, ctx) =>
          handler(stream, ctx.get('cookie') || undefined),
        ),
      );
      return listenKoa(app);
    },
  });

  describeRequests({
    name: '@koa/router and koa middleware',
    sessionCookie: 'session=abc; path=/; httponly',
    async start({ channelOf, channel, onError, handler }) {
      const app = new App();
      app.use(async (ctx, next) => {
        ctx.set('X-Trace-Id', 'trace-42');
        ctx.set('Content-Length', '5');
        ctx.cookies.set('session', 'abc');
        await next();
      });
      const router = new Router();
      router.get(
        '/rooms/:room/events',
        // An async lookup, as a room store would do.
        sse({ channel: (ctx) => Promise.resolve(channelOf(roomOf(ctx))), heartbeat: false }),
      );
      router.get(
        '/events',
        sse({ channel, onError, heartbeat: false }, (stream) => handler(stream)),
      );
      app.use(router.routes());
      return listenKoa(app);
    },
  });
});
