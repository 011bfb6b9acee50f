import express, { type Express } from 'express';
import { createChannel } from '@sse/core';
import { sse } from '@sse/express';
import { examplePage, readPublishBody, runClock } from '@sse/example-shared';

/**
 * The example app: a page at `/`, a clock stream at `/clock` (one `tick` event per second),
 * a channel at `/events`, and `POST /publish` (a JSON body) that publishes to it.
 */
export function createApp(): Express {
  const channel = createChannel<{ message: unknown }>({ history: 100 });
  const app = express();

  app.get('/', (_req, res) => {
    res.type('html').send(examplePage('express'));
  });

  app.get('/clock', sse(runClock));

  // Reconnecting clients send Last-Event-ID and get what they missed from the history.
  app.get('/events', sse({ channel }));

  app.post('/publish', async (req, res) => {
    const body = await readPublishBody(req.get('content-type'), req);
    if (!body.ok) {
      res.status(body.status).json({ error: body.error });
      return;
    }
    const id = await channel.publish(body.data);
    res.status(202).json({ id });
  });

  return app;
}
