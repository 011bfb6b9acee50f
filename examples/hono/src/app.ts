import { createChannel } from '@sse/core';
import { examplePage, readPublishBody, runClock } from '@sse/example-shared';
import { sse } from '@sse/hono';
import { Hono } from 'hono';

/**
 * The example app: a page at `/`, a clock stream at `/clock` (one `tick` event per second),
 * a channel at `/events`, and `POST /publish` (a JSON body) that publishes to it.
 */
export function createApp(): Hono {
  const channel = createChannel({ history: 100 });
  const app = new Hono();

  app.get('/', (c) => c.html(examplePage('hono')));

  app.get('/clock', sse(runClock));

  // Reconnecting clients send Last-Event-ID and get what they missed from the history.
  app.get('/events', sse({ channel }));

  app.post('/publish', async (c) => {
    const body = await readPublishBody(c.req.header('content-type'), c.req.raw.body);
    if (!body.ok) return c.json({ error: body.error }, body.status);
    const id = await channel.publish(body.data);
    return c.json({ id }, 202);
  });

  return app;
}
