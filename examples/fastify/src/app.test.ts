import { recordEventSource, type RecordingEventSource } from '@sse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from './app';

let app: FastifyInstance | undefined;
let sources: RecordingEventSource[] = [];

afterEach(async () => {
  for (const source of sources) source.close();
  sources = [];
  await app?.close();
  app = undefined;
});

async function start(): Promise<string> {
  app = createApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}

describe('examples/fastify createApp', () => {
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
    const res = await fetch(`${url}/publish`, { method: 'POST' });
    expect(res.status).toBe(400);
  });
});
