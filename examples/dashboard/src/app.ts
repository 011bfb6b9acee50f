import express, { type Express } from 'express';
import { createChannel, memoryBackplane, type Backplane, type Channel } from '@sse/core';
import { sse } from '@sse/express';
import { redisBackplane } from '@sse/redis';
import { MetricsSampler, type MetricsSample } from './metrics';
import { dashboardPage } from './page';
import { readLoadRequest } from './load-request';

/** Options of `createDashboard`. */
export interface DashboardOptions {
  /** Share the feed between instances through this Redis (`REDIS_URL`); else in memory. */
  redisUrl?: string;
  /** The feed's stream key in Redis. @default 'sse:dashboard:feed' */
  redisKey?: string;
  /** Time between two metrics samples. @default 1000 */
  sampleMs?: number;
}

/** The dashboard app and how to stop its timer and connections. */
export interface Dashboard {
  app: Express;
  feed: Channel<{ load: FeedEvent }>;
  close(): Promise<void>;
}

/** One event of the feed: which burst it belongs to and its place in it. */
export interface FeedEvent {
  burst: number;
  n: number;
  of: number;
}

/**
 * A live dashboard of this server: `GET /` the page, `GET /metrics` one `metrics` event per
 * second (clients, events/s, memory, CPU), `GET /feed` a channel of `load` events, and
 * `POST /load` `{ "events": n }` that publishes a burst of n of them. With `redisUrl`, the feed
 * goes through a Redis Stream: run two instances and a burst on one shows on both.
 */
export function createDashboard(options: DashboardOptions = {}): Dashboard {
  const backplane: Backplane = options.redisUrl
    ? redisBackplane({ url: options.redisUrl, key: options.redisKey ?? 'sse:dashboard:feed' })
    : memoryBackplane({ history: 200 });
  const feed = createChannel<{ load: FeedEvent }>({ backplane });
  const metrics = createChannel<{ metrics: MetricsSample }>({ history: 60 });
  const sampler = new MetricsSampler(feed, () => metrics.size);
  const stopCounting = backplane.listen(() => sampler.countEvent());
  const timer = setInterval(
    () => void metrics.publish(sampler.sample(), { event: 'metrics' }),
    options.sampleMs ?? 1000,
  );
  let bursts = 0;

  const app = express();
  app.get('/', (_req, res) => {
    res.type('html').send(dashboardPage());
  });
  // A new viewer gets the first sample at once instead of after a second.
  app.get(
    '/metrics',
    sse({ channel: metrics }, (stream) => stream.send(sampler.sample(), { event: 'metrics' })),
  );
  app.get('/feed', sse({ channel: feed }));
  app.post('/load', async (req, res) => {
    const load = await readLoadRequest(req.get('content-type'), req);
    if (!load.ok) {
      res.status(load.status).json({ error: load.error });
      return;
    }
    const burst = ++bursts;
    const of = load.events;
    const ids = await Promise.all(
      Array.from({ length: of }, (_, n) =>
        feed.publish({ burst, n: n + 1, of }, { event: 'load' }),
      ),
    );
    res.status(202).json({ published: ids.length, lastId: ids.at(-1) });
  });

  return {
    app,
    feed,
    async close() {
      clearInterval(timer);
      stopCounting();
      feed.close();
      metrics.close();
      await backplane.close?.();
    },
  };
}
