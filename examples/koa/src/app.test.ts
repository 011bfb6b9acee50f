import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  listen,
  recordEventSource,
  type Listening,
  type RecordingEventSource,
} from '@sse/test-kit';
import { createApp } from './app';

describe('koa example', () => {
  let server: Listening | undefined;
  let clients: RecordingEventSource[] = [];

  afterEach(async () => {
    for (const client of clients) client.close();
    clients = [];
    await server?.close();
  });

  async function start(): Promise<string> {
    const callback = createApp().callback();
    server = await listen(createServer((req, res) => void callback(req, res)));
    return server.url;
  }
  function open(url: string, events?: string[]): RecordingEventSource {
    const client = recordEventSource(url, events);
    clients.push(client);
    return client;
  }

  it('publishes a POSTed JSON body to the /events stream', async () => {
    const url = await start();
    const client = open(`${url}/events`);
    await client.opened;
    const response = await fetch(`${url}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const [event] = await client.waitFor(1);
    expect(event).toEqual({ type: 'message', data: '{"text":"hello"}', lastEventId: id });
  });

  it('refuses a body that is not JSON', async () => {
    const url = await start();
    const response = await fetch(`${url}/publish`, { method: 'POST', body: 'plain text' });
    expect(response.status).toBe(415);
    const broken = await fetch(`${url}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{ not json',
    });
    expect(broken.status).toBe(400);
  });

  it('streams the time at /clock and serves the page at /', async () => {
    const url = await start();
    const clock = open(`${url}/clock`, ['tick']);
    const [tick] = await clock.waitFor(1);
    expect(Number.isNaN(Date.parse(tick!.data))).toBe(false);
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain("new EventSource('/events')");
  });
});
