import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHub } from '@sse/core';
import { listen, openRawSse, waitUntil, type Listening, type RawSseResponse } from '@sse/test-kit';
import { createApp, type ChatEvents, type ChatHub } from './app';

let hub: ChatHub | undefined;
let server: Listening | undefined;
const clients: RawSseResponse[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  hub?.close();
  server = hub = undefined;
});

async function start(): Promise<string> {
  hub = createHub<ChatEvents>();
  server = await listen(createServer(createApp(hub)));
  return server.url;
}

const signedIn = (user: string) => ({ cookie: `user=${user}` });

/**
 * Opens `user`'s stream on `rooms` (plus their own topic) and waits until the server has
 * subscribed it to every topic: what is published next reaches it.
 */
async function follow(
  user: string,
  rooms: string[],
  lastEventId?: string,
): Promise<RawSseResponse> {
  const before = hub!.stats().subscribers;
  const query = rooms.map((room) => `room=${room}`).join('&');
  const client = await openRawSse(`${server!.url}/events?${query}`, {
    headers: { ...signedIn(user), ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    timeoutMs: 10_000,
  });
  clients.push(client);
  expect(client.status).toBe(200);
  await waitUntil(
    () => hub!.stats().subscribers === before + rooms.length + 1,
    `${user} subscribed to ${rooms.length + 1} topics`,
    10_000,
  );
  return client;
}

async function post(user: string | undefined, room: string, text: string): Promise<Response> {
  return fetch(`${server!.url}/rooms/${room}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(user ? signedIn(user) : {}) },
    body: JSON.stringify({ text }),
  });
}

/** Each event as `<event> <room> <from>: <text>`. */
const lines = (client: RawSseResponse) =>
  client.events.map((e) => {
    const m = JSON.parse(e.data) as { room: string; from: string; text: string };
    return `${e.event} ${m.room} ${m.from}: ${m.text}`;
  });

/** Expects `path` to be answered with `status` and `{ error }` matching `error`, not a stream. */
async function expectRefused(
  path: string,
  user: string | undefined,
  status: number,
  error: RegExp,
) {
  const response = await fetch(`${server!.url}${path}`, {
    headers: { accept: 'text/event-stream', ...(user ? signedIn(user) : {}) },
  });
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(((await response.json()) as { error: string }).error).toMatch(error);
}

describe('the rooms chat example', () => {
  it('signs in with POST /login and lists the rooms of the user at /me', async () => {
    const url = await start();
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'grace' }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/^user=grace; Path=\/; HttpOnly; SameSite=Lax/);
    const me = await fetch(`${url}/me`, { headers: signedIn('grace') });
    expect(await me.json()).toEqual({ user: 'grace', rooms: ['general', 'compilers'] });
    await expectRefused('/me', 'mallory', 401, /sign in first/);
  });

  it('answers 401 before any stream opens when nobody is signed in', async () => {
    await start();
    await expectRefused('/events?room=general', undefined, 401, /^sign in first$/);
    await expectRefused('/events?room=general', 'mallory', 401, /^sign in first$/);
    expect((await post(undefined, 'general', 'hi')).status).toBe(401);
    expect(hub!.stats()).toMatchObject({ topics: 0, subscribers: 0 });
  });

  it('answers 403 to a room the user is not a member of, 404 to no such room', async () => {
    await start();
    await expectRefused(
      '/events?room=compilers',
      'linus',
      403,
      /^linus is not a member of "compilers"$/,
    );
    // One room refused refuses the whole stream.
    await expectRefused('/events?room=general&room=compilers', 'linus', 403, /compilers/);
    await expectRefused('/events?room=lounge', 'ada', 404, /^no room "lounge"$/);
    expect((await post('linus', 'compilers', 'let me in')).status).toBe(403);
    expect(hub!.stats()).toMatchObject({ topics: 0, subscribers: 0, published: 0 });
  });

  it('answers 400 with the reason to a room name that is not a valid topic', async () => {
    await start();
    await expectRefused('/events?room=gen%0Aeral', 'ada', 400, /control characters/);
    await expectRefused(`/events?room=${'x'.repeat(300)}`, 'ada', 400, /1 to 256 characters/);
    expect(hub!.stats().topics).toBe(0);
  });

  it('answers 400 to a message that is not a JSON { text } of 1 to 500 characters', async () => {
    await start();
    for (const text of ['', '   ', 'x'.repeat(501)]) {
      const response = await post('ada', 'general', text);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: '"text" must be a non-empty string of at most 500 characters',
      });
    }
  });

  it("delivers a room's messages to its members' streams only", async () => {
    await start();
    const ada = await follow('ada', ['general', 'compilers']);
    const grace = await follow('grace', ['compilers']);
    const linus = await follow('linus', ['general', 'kernel']);

    const posted = await post('ada', 'compilers', 'compilers only');
    expect(posted.status).toBe(201);
    const { id, mentioned } = (await posted.json()) as { id: string; mentioned: string[] };
    expect([typeof id, mentioned]).toEqual(['string', []]);
    await grace.waitForEvents(1);
    expect((await post('linus', 'general', 'for everyone')).status).toBe(201);
    await linus.waitForEvents(1);
    await ada.waitForEvents(2);
    expect((await post('linus', 'kernel', 'kernel talk')).status).toBe(201);
    await linus.waitForEvents(2);

    expect(lines(ada)).toEqual([
      'message compilers ada: compilers only',
      'message general linus: for everyone',
    ]);
    expect(lines(grace)).toEqual(['message compilers ada: compilers only']);
    expect(lines(linus)).toEqual([
      'message general linus: for everyone',
      'message kernel linus: kernel talk',
    ]);
  });

  it('sends a mention to the mentioned member only, on their own topic', async () => {
    await start();
    const ada = await follow('ada', []); // her mentions only
    const linus = await follow('linus', ['general']);

    // linus is not in compilers: a mention there must not leak its text to him.
    const inCompilers = await post('grace', 'compilers', '@ada @linus look at this');
    expect(await inCompilers.json()).toMatchObject({ mentioned: ['ada'] });
    await ada.waitForEvents(1);
    const inGeneral = await post('grace', 'general', 'thanks @linus');
    expect(await inGeneral.json()).toMatchObject({ mentioned: ['linus'] });
    await linus.waitForEvents(2);
    expect((await post('grace', 'general', '@ada too')).status).toBe(201);
    await ada.waitForEvents(2);
    await linus.waitForEvents(3);

    expect(lines(ada)).toEqual([
      'mention compilers grace: @ada @linus look at this',
      'mention general grace: @ada too',
    ]);
    expect(lines(linus).sort()).toEqual([
      'mention general grace: thanks @linus',
      'message general grace: @ada too',
      'message general grace: thanks @linus',
    ]);
  });

  it('resumes both topics with one Last-Event-ID: exactly what was missed, then live', async () => {
    await start();
    const first = await follow('ada', ['general']);
    await post('grace', 'general', 'before');
    const [seen] = await first.waitForEvents(1);
    first.close();

    await post('grace', 'general', 'missed 1');
    await post('grace', 'general', 'missed 2, @ada');
    await post('grace', 'compilers', 'not on this stream, @ada');
    await post('linus', 'kernel', 'not for ada at all');

    const resumed = await follow('ada', ['general'], seen!.id);
    await resumed.waitForEvents(4);
    expect(lines(resumed).sort()).toEqual([
      'mention compilers grace: not on this stream, @ada',
      'mention general grace: missed 2, @ada',
      'message general grace: missed 1',
      'message general grace: missed 2, @ada',
    ]);
    // Each topic in its own order.
    expect(lines(resumed).filter((line) => line.startsWith('message'))).toEqual([
      'message general grace: missed 1',
      'message general grace: missed 2, @ada',
    ]);

    await post('grace', 'general', 'live');
    const events = await resumed.waitForEvents(5);
    expect(lines(resumed).at(-1)).toBe('message general grace: live');
    expect(events.map((e) => e.id)).toEqual([...new Set(events.map((e) => e.id))]);
  });
});
