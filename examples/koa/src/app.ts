import Koa from 'koa';
import Router from '@koa/router';
import { createChannel } from '@sse/core';
import { sse } from '@sse/koa';
import { examplePage, readPublishBody, runClock } from '@sse/example-shared';

/**
 * The example app: a page at `/`, a clock stream at `/clock` (one `tick` event per second),
 * a channel at `/events`, and `POST /publish` (a JSON body) that publishes to it.
 */
export function createApp(): Koa {
  const channel = createChannel<{ message: unknown }>({ history: 100 });
  const app = new Koa();
  const router = new Router();

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = examplePage('koa');
  });

  router.get('/clock', sse(runClock));

  // Reconnecting clients send Last-Event-ID and get what they missed from the history.
  router.get('/events', sse({ channel }));

  // Koa has no body parser built in: the shared rule reads the raw request.
  router.post('/publish', async (ctx) => {
    const body = await readPublishBody(ctx.get('content-type'), ctx.req);
    if (!body.ok) {
      ctx.status = body.status;
      ctx.body = { error: body.error };
      return;
    }
    const id = await channel.publish(body.data);
    ctx.status = 202;
    ctx.body = { id };
  });

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
