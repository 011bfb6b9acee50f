import Koa from 'koa';
import Router from '@koa/router';
import { createChannel } from '@sse/core';
import { sse } from '@sse/koa';
import { page } from './page';
import { readJson } from './read-json';

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
    ctx.body = page;
  });

  router.get(
    '/clock',
    sse((stream) => {
      const tick = () => void stream.send(new Date().toISOString(), { event: 'tick' });
      tick();
      const timer = setInterval(tick, 1000);
      stream.signal.addEventListener('abort', () => clearInterval(timer));
    }),
  );

  // Reconnecting clients send Last-Event-ID and get what they missed from the history.
  router.get('/events', sse({ channel }));

  router.post('/publish', async (ctx) => {
    const id = await channel.publish(await readJson(ctx));
    ctx.status = 202;
    ctx.body = { id };
  });

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
