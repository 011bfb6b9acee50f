import { createServer } from 'node:http';
import express from 'express';
import { createHub } from '@sse/core';
import {
  BROWSER_TIMEOUT_MS,
  describeInChromium,
  listen,
  openPage,
  sleep,
  type Listening,
} from '@sse/test-kit';
import { afterEach, expect, it } from 'vitest';
import { sse } from './sse';

const PAGE = `<!doctype html><meta charset="utf-8"><title>run</title><pre id="out"></pre>
<script>
  window.seen = [];
  const source = new EventSource('/events');
  window.source = source;
  source.onmessage = (e) => window.seen.push(e.data);
  source.addEventListener('sse-end', (e) => window.seen.push('end:' + e.data));
</script>`;

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describeInChromium('runs in Chromium', (browser) => {
  it('an EventSource reads a run to its end, gets 204 on its reconnect and stops there', async () => {
    const hub = createHub<{ message: string }>();
    const requests: { lastEventId: string | undefined; status: number }[] = [];
    const app = express();
    app.get('/', (_req, res) => void res.type('html').send(PAGE));
    app.use('/events', (req, res, next) => {
      res.on('finish', () =>
        requests.push({ lastEventId: req.get('last-event-id'), status: res.statusCode }),
      );
      next();
    });
    // A short retry: the browser's reconnect comes quickly, and would come again if allowed.
    app.get('/events', sse({ retry: 100, heartbeat: false, channel: () => hub.topics('answer') }));
    server = await listen(createServer(app));
    const run = hub.run('answer');
    await run.publish('Hello');

    const page = await openPage(browser(), server.url);
    await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.length === 1, {
      timeout: BROWSER_TIMEOUT_MS,
    });
    await run.publish('world');
    const endId = await run.end({ tokens: 2 });

    await page.waitForFunction(
      () => (window as unknown as { source: EventSource }).source.readyState === 2,
      {
        timeout: BROWSER_TIMEOUT_MS,
      },
    );
    // Time for several more reconnects, were the browser still trying.
    await sleep(1000);
    expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toEqual([
      'Hello',
      'world',
      'end:{"tokens":2}',
    ]);
    expect(requests).toEqual([
      { lastEventId: undefined, status: 200 },
      { lastEventId: endId, status: 204 },
    ]);
    hub.close();
  });
});
