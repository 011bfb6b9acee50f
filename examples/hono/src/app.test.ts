import { createAdaptorServer } from '@hono/node-server';
import {
  listen,
  recordEventSource,
  type Listening,
  type RecordingEventSource,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app';

let server: Listening | undefined;
let sources: RecordingEventSource[] = [];

afterEach(async () => {
  for (const source of sources) source.close();
  sources = [];
  await server?.close();
  server = undefined;
});

async function start(): Promise<string> {
  server = await listen(createAdaptorServer({ fetch: createApp().fetch }));
  return server.url;
}

describe('examples/hono createApp', () => {
  it('delivers what is POSTed to /publish to the clients of /events', async () => {
    const url = await start();
    const source = recordEventSource(`${url}/events`);
    sources.push(source);
    await source.opened;

    const res = await fetch(`${url}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });

    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(await source.waitFor(1)).toEqual([
      { type: 'message', data: '{"text":"hello"}', lastEventId: id },
    ]);
  });

  it('ticks on /clock and serves the page at /', async () => {
    const url = await start();
    const clock = recordEventSource(`${url}/clock`, ['tick']);
    sources.push(clock);

    const [tick] = await clock.waitFor(1);
    const page = await fetch(url);

    expect(tick?.type).toBe('tick');
    expect(Number.isNaN(Date.parse((JSON.parse(tick!.data) as { now: string }).now))).toBe(false);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain("new EventSource('/events')");
  });

  it('answers 400 to a POST /publish without a JSON body', async () => {
    const url = await start();
    const res = await fetch(`${url}/publish`, { method: 'POST', body: 'not json' });
    expect(res.status).toBe(400);
  });
});
