import express, { type Express } from 'express';
import { createChannel } from '@sse/core';
import { sse } from '@sse/express';
import { page } from './page';

/**
 * The example app: a page at `/`, a clock stream at `/clock` (one `tick` event per second),
 * a channel at `/events`, and `POST /publish` (a JSON body) that publishes to it.
 */
export function createApp(): Express {
  const channel = createChannel<{ message: unknown }>({ history: 100 });
  const app = express();

  app.get('/', (_req, res) => {
    res.type('html').send(page);
  });

  app.get(
    '/clock',
    sse((stream) => {
      const tick = () => void stream.send(new Date().toISOString(), { event: 'tick' });
      tick();
      const timer = setInterval(tick, 1000);
      stream.signal.addEventListener('abort', () => clearInterval(timer));
    }),
  );

  // Reconnecting clients send Last-Event-ID and get what they missed from the history.
  app.get('/events', sse({ channel }));

  app.post('/publish', express.json(), async (req, res) => {
    if (!req.is('application/json') || req.body === undefined) {
      res.status(415).json({ error: 'send a JSON body with Content-Type: application/json' });
      return;
    }
    const id = await channel.publish(req.body);
    res.status(202).json({ id });
  });

  return app;
}
