import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Channel, Hub } from '@sse/core';
import { listen, openRawSse, waitUntil, type Listening, type RawSseResponse } from '@sse/test-kit';

const recipesFile = fileURLToPath(new URL('../../../docs/recipes.md', import.meta.url));
const generatedDir = fileURLToPath(new URL('./__recipes__/', import.meta.url));

/** The ```ts block after `<!-- recipe: name -->` in docs/recipes.md, imported as a module. */
async function recipe<Module>(name: string): Promise<Module> {
  const text = await readFile(recipesFile, 'utf8');
  const block = new RegExp(`<!-- recipe: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!block) throw new Error(`docs/recipes.md has no recipe "${name}"`);
  await mkdir(generatedDir, { recursive: true });
  const file = `${generatedDir}${name}.ts`;
  await writeFile(file, block[1]!);
  return (await import(/* @vite-ignore */ file)) as Module;
}

afterAll(() => rm(generatedDir, { recursive: true, force: true }));

let server: Listening | undefined;
const clients: RawSseResponse[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});
afterAll(() => {
  for (const close of closers.splice(0)) close();
});

async function serve(app: RequestListener): Promise<string> {
  server = await listen(createServer(app));
  return server.url;
}

/** Opens `path` as `user` and waits until the server counts `subscribed` more subscribers. */
async function follow(
  url: string,
  user: string | undefined,
  subscribers: () => number,
  added: number,
  lastEventId?: string,
): Promise<RawSseResponse> {
  const before = subscribers();
  const headers: Record<string, string> = {};
  if (user) headers['x-user'] = user;
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const client = await openRawSse(url, { headers, timeoutMs: 10_000 });
  clients.push(client);
  if (client.status === 200) {
    await waitUntil(() => subscribers() >= before + added, `${added} more subscribers`, 10_000);
  } else {
    await client.ended;
  }
  return client;
}

const data = (client: RawSseResponse) => client.events.map((event) => event.data);

describe('docs/recipes.md', () => {
  describe('per-user notifications', async () => {
    const { app, hub, notify } = await recipe<{
      app: RequestListener;
      hub: Hub<{ notification: { text: string } }>;
      notify: (user: string, text: string) => Promise<string>;
    }>('notifications');
    closers.push(() => hub.close());
    const subscribers = () => hub.stats().subscribers;

    it("reaches every tab of its user and no one else's, and resumes after a reconnect", async () => {
      const url = `${await serve(app)}/notifications`;
      const tab1 = await follow(url, 'ada', subscribers, 1);
      const tab2 = await follow(url, 'ada', subscribers, 1);
      const bob = await follow(url, 'bob', subscribers, 1);

      const id = await notify('ada', 'your build passed');
      await notify('bob', 'for bob');
      for (const tab of [tab1, tab2]) {
        const [event] = await tab.waitForEvents(1);
        expect(event).toMatchObject({
          event: 'notification',
          id,
          data: '{"text":"your build passed"}',
        });
      }
      await bob.waitForEvents(1);
      expect(data(bob)).toEqual(['{"text":"for bob"}']);

      tab1.close();
      await notify('ada', 'missed');
      const back = await follow(url, 'ada', subscribers, 0, id);
      expect((await back.waitForEvents(1)).map((e) => e.data)).toEqual(['{"text":"missed"}']);
      expect(data(tab2)).toEqual(['{"text":"your build passed"}', '{"text":"missed"}']);
    });

    it('answers 401 without a user, before any stream opens', async () => {
      const url = `${await serve(app)}/notifications`;
      const anonymous = await follow(url, undefined, subscribers, 0);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['content-type']).not.toMatch(/event-stream/);
    });
  });

  describe('authorization', async () => {
    const { app, hub } = await recipe<{
      app: RequestListener;
      hub: Hub<{ message: { from: string; text: string } }>;
    }>('authorization');
    closers.push(() => hub.close());
    const subscribers = () => hub.stats().subscribers;

    it('answers 401 and 403 as JSON before the stream opens, and opens it for a member', async () => {
      const url = `${await serve(app)}/rooms/ops/events`;
      for (const [user, status, error] of [
        [undefined, 401, 'sign in first'],
        ['linus', 403, 'linus may not read ops'],
      ] as const) {
        const refused = await follow(url, user, subscribers, 0);
        expect(refused.status).toBe(status);
        expect(refused.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(refused.text())).toEqual({ error });
      }
      expect(hub.stats().topics).toBe(0);

      const grace = await follow(url, 'grace', subscribers, 1);
      await hub.publish('room:ops', { from: 'ada', text: 'deploying' }, { event: 'message' });
      const [event] = await grace.waitForEvents(1);
      expect(event).toMatchObject({ event: 'message', data: '{"from":"ada","text":"deploying"}' });
    });
  });

  describe('rooms', async () => {
    const { app, hub } = await recipe<{
      app: RequestListener;
      hub: Hub<{ message: { room: string; from: string; text: string } }>;
    }>('rooms');
    closers.push(() => hub.close());
    const subscribers = () => hub.stats().subscribers;
    const post = (url: string, user: string, room: string, text: string) =>
      fetch(`${url}/rooms/${room}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user': user },
        body: JSON.stringify({ text }),
      });

    it("delivers a room's messages to its members and resumes all rooms with one id", async () => {
      const url = await serve(app);
      const ada = await follow(`${url}/events?room=general&room=ops`, 'ada', subscribers, 2);
      const linus = await follow(`${url}/events?room=general`, 'linus', subscribers, 1);

      expect((await post(url, 'grace', 'ops', 'ops only')).status).toBe(201);
      expect((await post(url, 'grace', 'general', 'hello all')).status).toBe(201);
      const seen = await ada.waitForEvents(2);
      await linus.waitForEvents(1);
      expect(data(linus)).toEqual(['{"room":"general","from":"grace","text":"hello all"}']);
      expect((await post(url, 'linus', 'ops', 'let me in')).status).toBe(403);

      ada.close();
      await post(url, 'grace', 'ops', 'missed in ops');
      await post(url, 'linus', 'general', 'missed in general');
      const back = await follow(
        `${url}/events?room=general&room=ops`,
        'ada',
        subscribers,
        0,
        seen[1]!.id,
      );
      await back.waitForEvents(2);
      expect(data(back).sort()).toEqual([
        '{"room":"general","from":"linus","text":"missed in general"}',
        '{"room":"ops","from":"grace","text":"missed in ops"}',
      ]);
    });

    it('answers 403 for a room of others, 400 for no room or a bad room name', async () => {
      const url = await serve(app);
      const cases = [
        ['/events?room=general&room=ops', 403, /linus may not read ops/],
        ['/events', 400, /no topic given/],
        ['/events?room=%07', 400, /control characters/],
      ] as const;
      for (const [path, status, text] of cases) {
        const refused = await follow(`${url}${path}`, 'linus', subscribers, 0);
        expect(refused.status).toBe(status);
        expect(refused.text()).toMatch(text);
      }
    });
  });

  describe('a hub, a channel list or a filter', async () => {
    const { app, news, alerts, docs } = await recipe<{
      app: RequestListener;
      news: Channel<{ headline: { title: string } }>;
      alerts: Channel<{ alert: { level: 'info' | 'critical'; text: string } }>;
      docs: Hub<{ change: { doc: string; text: string } }>;
    }>('choosing');
    closers.push(() => docs.close());
    const subscribed = () => news.size + alerts.size + docs.stats().subscribers;

    it('gives each route what its form promises', async () => {
      const url = await serve(app);
      const onNews = await follow(`${url}/news`, undefined, subscribed, 1);
      const onBoth = await follow(`${url}/news-and-alerts`, undefined, subscribed, 2);
      const critical = await follow(`${url}/critical`, undefined, subscribed, 1);
      const doc1 = await follow(`${url}/docs/1/events`, undefined, subscribed, 1);

      await news.publish({ title: 'hub shipped' }, { event: 'headline' });
      await alerts.publish({ level: 'info', text: 'disk 70%' }, { event: 'alert' });
      await alerts.publish({ level: 'critical', text: 'disk 99%' }, { event: 'alert' });
      await docs.publish('doc:2', { doc: '2', text: 'not for doc 1' }, { event: 'change' });
      await docs.publish('doc:1', { doc: '1', text: 'title changed' }, { event: 'change' });

      await Promise.all([
        onNews.waitForEvents(1),
        onBoth.waitForEvents(3),
        critical.waitForEvents(1),
        doc1.waitForEvents(1),
      ]);
      expect(data(onNews)).toEqual(['{"title":"hub shipped"}']);
      expect(data(onBoth)).toEqual([
        '{"title":"hub shipped"}',
        '{"level":"info","text":"disk 70%"}',
        '{"level":"critical","text":"disk 99%"}',
      ]);
      expect(data(critical)).toEqual(['{"level":"critical","text":"disk 99%"}']);
      expect(data(doc1)).toEqual(['{"doc":"1","text":"title changed"}']);
    });
  });

  describe('AI answer streaming (runs)', async () => {
    const { app, hub } = await recipe<{
      app: RequestListener;
      hub: Hub<{ message: string }>;
    }>('ai-answers');
    closers.push(() => hub.close());
    const start = async (url: string, prompt: string) => {
      const response = await fetch(`${url}/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    const read = async (url: string, lastEventId?: string) => {
      const headers: Record<string, string> = lastEventId ? { 'last-event-id': lastEventId } : {};
      const client = await openRawSse(url, { headers, timeoutMs: 10_000 });
      clients.push(client);
      return client;
    };
    const lines = (client: RawSseResponse) =>
      client.events.map((event) => `${event.event ?? 'message'} ${event.data}`);

    it('POST starts an answer; GET reads all of it and its end; the final id gets 204', async () => {
      const url = await serve(app);
      const prompt = 'a run survives a reload';
      const events = `${url}/chat/${await start(url, prompt)}/events`;
      const reader = await read(events);
      await reader.ended;
      expect(lines(reader)).toEqual([
        ...prompt.split(' ').map((word) => `message ${word} `),
        'sse-end {"reason":"done"}',
      ]);
      const again = await read(events, reader.events.at(-1)!.id);
      await again.ended;
      expect(again.status).toBe(204);
    });

    it('a reader resuming mid-answer gets exactly the rest; stop ends the answer early', async () => {
      const url = await serve(app);
      const words = Array.from({ length: 100 }, (_, i) => `w${i}`);
      const id = await start(url, words.join(' '));
      const first = await read(`${url}/chat/${id}/events`);
      const seen = await first.waitForEvents(3);
      const resumed = await read(`${url}/chat/${id}/events`, seen[1]!.id);
      const stop = await fetch(`${url}/chat/${id}/stop`, { method: 'POST' });
      expect(stop.status).toBe(204);
      await Promise.all([first.ended, resumed.ended]);

      expect(lines(first).at(-1)).toBe('sse-end {"reason":"stopped"}');
      const tokens = lines(first).slice(0, -1);
      expect(tokens.length).toBeLessThan(words.length);
      expect(tokens).toEqual(words.slice(0, tokens.length).map((word) => `message ${word} `));
      expect(lines(resumed)).toEqual(lines(first).slice(2));
    });
  });
});
