import { describeWithRuntime, openRawSse, startDenoNpmApp, waitUntil } from '@sse/test-kit';
import { expect, it } from 'vitest';

// What a Deno user writes: the packages by npm: specifier, served by Deno.serve.
const SERVER = `
import { createChannel, createResponse } from 'npm:@sse/core';
import { sse } from 'npm:@sse/hono';
import { Hono } from 'npm:hono';

const news = createChannel();
const app = new Hono();
app.get('/hono', sse({ channel: news }));
app.get('/core', (c) => createResponse(c.req.raw, {}, (stream) => { news.subscribe(stream); }));
app.get('/size', (c) => c.json(news.size));
app.post('/publish', async (c) => c.json(await news.publish(await c.req.text())));
Deno.serve(
  { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log('listening on ' + port) },
  app.fetch,
);
`;

describeWithRuntime('deno', 'Deno with npm: specifiers', () => {
  it('serves createResponse and @sse/hono imported as npm:@sse/core and npm:@sse/hono', async () => {
    const app = await startDenoNpmApp(SERVER);
    try {
      const clients = await Promise.all(
        ['/core', '/hono'].map((path) => openRawSse(`${app.origin}${path}`)),
      );
      await waitUntil(
        async () => (await (await fetch(`${app.origin}/size`)).json()) === 2,
        'both streams subscribed',
      );
      const publish = await fetch(`${app.origin}/publish`, { method: 'POST', body: 'hello' });
      const id = (await publish.json()) as string;
      for (const client of clients) {
        const [event] = await client.waitForEvents(1);
        expect(event).toMatchObject({ id, data: 'hello' });
        expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        client.close();
      }
    } finally {
      await app.close();
    }
  });
});
