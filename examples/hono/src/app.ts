import { createChannel } from '@sse/core';
import { sse } from '@sse/hono';
import { Hono } from 'hono';
import { PAGE_HTML } from './page';

/** The example app: a page at `/`, a clock at `/clock`, a channel at `/events`, `POST /publish`. */
export function createApp(): Hono {
  const channel = createChannel({ history: 100 });
  const app = new Hono();

  app.get('/', (c) => c.html(PAGE_HTML));

  // One event per second for each client, stopped when the client leaves.
  app.get(
    '/clock',
    sse((stream) => {
      const tick = () => void stream.send({ now: new Date().toISOString() }, { event: 'tick' });
      tick();
      const timer = setInterval(tick, 1000);
      stream.onClose(() => clearInterval(timer));
    }),
  );

  // Every client of /events receives what is published, and what it missed on reconnect.
  app.get('/events', sse({ channel }));

  app.post('/publish', async (c) => {
    const body: unknown = await c.req.json().catch(() => undefined);
    if (body === undefined) return c.json({ error: 'expected a JSON body' }, 400);
    const id = await channel.publish(body);
    return c.json({ id }, 202);
  });

  return app;
}
