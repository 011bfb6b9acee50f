import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BROWSER_TIMEOUT_MS,
  describeInChromium,
  listen,
  openPage,
  recordEventSource,
  skipWithoutRedis,
  TEST_REDIS_URL,
  type Listening,
  type RecordingEventSource,
} from '@sse/test-kit';
import { createDashboard, type Dashboard, type DashboardOptions } from './app';
import type { MetricsSample } from './metrics';

const running: { dashboard: Dashboard; server: Listening }[] = [];
const sources: RecordingEventSource[] = [];

afterEach(async () => {
  for (const source of sources.splice(0)) source.close();
  for (const { dashboard, server } of running.splice(0)) {
    await server.close();
    await dashboard.close();
  }
});

async function start(options: DashboardOptions = {}): Promise<string> {
  const dashboard = createDashboard({ sampleMs: 100, ...options });
  const server = await listen(createServer(dashboard.app));
  running.push({ dashboard, server });
  return server.url;
}

function listenTo(url: string, events: string[]): RecordingEventSource {
  const source = recordEventSource(url, events);
  sources.push(source);
  return source;
}

function load(url: string, body: unknown, contentType = 'application/json'): Promise<Response> {
  return fetch(`${url}/load`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  });
}

const samples = (source: RecordingEventSource) =>
  source.received
    .filter((event) => event.type === 'metrics')
    .map((event) => JSON.parse(event.data) as MetricsSample);

describe('the live dashboard', () => {
  it('streams a metrics sample at once, then on every interval', async () => {
    const url = await start();
    const metrics = listenTo(`${url}/metrics`, ['metrics']);

    await metrics.waitFor(3);

    const [first] = samples(metrics);
    expect(Object.keys(first!).sort()).toEqual(
      [
        'clients',
        'closedSlow',
        'cpuPercent',
        'delivered',
        'eventsPerSecond',
        'heapUsedMb',
        'rssMb',
        'time',
      ].sort(),
    );
    expect(first!.clients).toBeGreaterThanOrEqual(1);
    expect(first!.heapUsedMb).toBeGreaterThan(0);
  });

  it('publishes a burst on POST /load to every /feed client, and counts it in the metrics', async () => {
    const url = await start();
    const feed = listenTo(`${url}/feed`, ['load']);
    const metrics = listenTo(`${url}/metrics`, ['metrics']);
    await Promise.all([feed.opened, metrics.opened]);

    const response = await load(url, { events: 50 });

    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ published: 50 });
    const events = await feed.waitFor(50);
    expect(events.map((e) => JSON.parse(e.data) as unknown)).toEqual(
      Array.from({ length: 50 }, (_, n) => ({ burst: 1, n: n + 1, of: 50 })),
    );
    await expect
      .poll(() => samples(metrics).some((sample) => sample.eventsPerSecond > 0))
      .toBe(true);
    await expect.poll(() => samples(metrics).at(-1)?.delivered).toBe(50);
  });

  it('refuses a load that is not a JSON { events: 1..10000 }', async () => {
    const url = await start();
    for (const body of [{ events: 0 }, { events: 10_001 }, { events: 1.5 }, {}, null]) {
      const response = await load(url, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: '"events" must be an integer from 1 to 10000',
      });
    }
    expect((await load(url, { events: 1 }, 'text/plain')).status).toBe(415);
  });

  describe('on Redis', () => {
    skipWithoutRedis();

    it('shares the feed between two instances through Redis', async () => {
      // One key for every run: its stream stays bounded (MAXLEN) in the shared Redis.
      const redisKey = 'sse-test:dashboard';
      const [a, b] = [
        await start({ redisUrl: TEST_REDIS_URL, redisKey }),
        await start({ redisUrl: TEST_REDIS_URL, redisKey }),
      ];
      const onB = listenTo(`${b}/feed`, ['load']);
      await onB.opened;

      expect((await load(a, { events: 20 })).status).toBe(202);

      const events = await onB.waitFor(20);
      expect(JSON.parse(events.at(-1)!.data)).toEqual({ burst: 1, n: 20, of: 20 });
    });
  });
});

describeInChromium('the live dashboard in Chromium', (browser) => {
  it('fills its cards and chart from /metrics and shows a burst sent from its form', async () => {
    const url = await start();
    const page = await openPage(browser(), url);

    await expect
      .poll(() => page.textContent('#status'), { timeout: BROWSER_TIMEOUT_MS })
      .toBe('live');
    await expect
      .poll(async () => Number(await page.textContent('#clients')), { timeout: BROWSER_TIMEOUT_MS })
      .toBeGreaterThanOrEqual(2);

    await page.fill('#load input[name="events"]', '250');
    await page.click('#load button');

    await expect
      .poll(() => page.textContent('#received'), { timeout: BROWSER_TIMEOUT_MS })
      .toBe('250');
    await expect
      .poll(() => page.locator('#feed li').first().textContent(), { timeout: BROWSER_TIMEOUT_MS })
      .toMatch(/^#\d+-\d+ burst 1: 250\/250$/);
    expect(await page.textContent('#load-status')).toBe('published 250');
    await expect
      .poll(async () => (await page.getAttribute('#line', 'points'))?.split(' ').length ?? 0, {
        timeout: BROWSER_TIMEOUT_MS,
      })
      .toBeGreaterThan(3);
    // The chart has labelled axes: 0 at the bottom of the y axis, "now" at the end of the x axis.
    expect(await page.locator('#y-axis text').first().textContent()).toBe('0');
    expect(await page.locator('#chart').textContent()).toMatch(/−60 s[\s\S]*now/);

    // A burst long enough to overflow the feed shows as many lines as its title says.
    await page.fill('#load input[name="events"]', '2000');
    await page.click('#load button');
    await expect
      .poll(() => page.locator('#feed li').first().textContent(), { timeout: BROWSER_TIMEOUT_MS })
      .toMatch(/burst 2: 2000\/2000$/);
    const lines = Number(await page.textContent('#feed-lines'));
    expect(lines).toBeGreaterThan(1);
    expect(await page.locator('#feed li').count()).toBe(lines);
    expect(await page.isVisible(`#feed li:nth-child(${lines})`)).toBe(true);
  });
});
