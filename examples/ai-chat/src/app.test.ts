import { afterEach, describe, expect, it } from 'vitest';
import { openRawSse, skipWithoutRedis, type RawSseResponse } from '@sse/test-kit';
import { answerTokens } from './fake-model';
import { freshPrefix, startInstance, type RunningInstance } from './testing/instances';

skipWithoutRedis();

const running: RunningInstance[] = [];
const clients: RawSseResponse[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const instance of running.splice(0)) await instance.close();
});

/** Two instances sharing one Redis, under a prefix of this test's own. */
async function twoInstances(tokenDelayMs?: number) {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([
    startInstance({ prefix, tokenDelayMs }),
    startInstance({ prefix, tokenDelayMs }),
  ]);
  running.push(a, b);
  return { a, b };
}

async function ask(url: string, prompt: unknown): Promise<Response> {
  return fetch(`${url}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
}

async function start(url: string, prompt: string): Promise<string> {
  const response = await ask(url, prompt);
  expect(response.status).toBe(202);
  const { id } = (await response.json()) as { id: string };
  return id;
}

async function read(url: string, id: string, lastEventId?: string): Promise<RawSseResponse> {
  const client = await openRawSse(`${url}/chat/${id}/events`, {
    headers: lastEventId ? { 'last-event-id': lastEventId } : {},
    timeoutMs: 20_000,
  });
  clients.push(client);
  return client;
}

/** The whole run as `event data` lines: the prompt, each token, the end. */
function expectedRun(prompt: string, reason = 'done'): string[] {
  return [
    `prompt ${prompt}`,
    ...answerTokens(prompt).map((token) => `message ${token}`),
    `sse-end {"reason":"${reason}"}`,
  ];
}

const lines = (client: RawSseResponse) =>
  client.events.map((event) => `${event.event ?? 'message'} ${event.data}`);

describe('the AI chat example over HTTP', () => {
  it('POST /chat starts an answer; GET reads all of it, then its end; the final id gets 204', async () => {
    const { a } = await twoInstances();
    const id = await start(a.url, 'What is a run?');
    const reader = await read(a.url, id);
    expect(reader.status).toBe(200);
    expect(reader.headers['content-type']).toMatch(/^text\/event-stream/);
    await reader.ended; // the server ends the response after sse-end
    expect(lines(reader)).toEqual(expectedRun('What is a run?'));
    // Every event carries an id, each a new one.
    const ids = reader.events.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(reader.retries).toEqual([1000]);

    const again = await read(a.url, id, ids.at(-1));
    await again.ended;
    expect(again.status).toBe(204);
    expect(await (await fetch(`${a.url}/chat/${id}`)).json()).toEqual({ status: 'ended' });
  });

  it('a reader on instance B of an answer produced on A gets every token, mid-answer and after it', async () => {
    const { a, b } = await twoInstances(10);
    const id = await start(a.url, 'Two instances?');
    const live = await read(b.url, id);
    const middle = await live.waitForEvents(20);
    // Resuming on B from an id it got mid-answer: exactly the rest.
    const resumed = await read(b.url, id, middle.at(-1)!.id);
    await Promise.all([live.ended, resumed.ended]);
    expect(lines(live)).toEqual(expectedRun('Two instances?'));
    expect(lines(resumed)).toEqual(expectedRun('Two instances?').slice(20));

    const late = await read(b.url, id);
    await late.ended;
    expect(lines(late)).toEqual(expectedRun('Two instances?'));
  });

  it('POST /chat/:id/stop on B stops the answer produced on A: readers get its end, marked stopped', async () => {
    const { a, b } = await twoInstances(30);
    const id = await start(a.url, 'Stop me');
    const reader = await read(a.url, id);
    await reader.waitForEvents(5);
    const stop = await fetch(`${b.url}/chat/${id}/stop`, { method: 'POST' });
    expect(stop.status).toBe(204);
    await reader.ended;

    const all = lines(reader);
    expect(all.at(-1)).toBe('sse-end {"reason":"stopped"}');
    const tokens = all.slice(1, -1);
    expect(tokens.length).toBeLessThan(answerTokens('Stop me').length);
    expect(tokens).toEqual(expectedRun('Stop me').slice(1, 1 + tokens.length));
    expect(await (await fetch(`${b.url}/chat/${id}`)).json()).toEqual({ status: 'ended' });
  });

  it('a client leaving does not stop the answer', async () => {
    const { a, b } = await twoInstances(10);
    const id = await start(a.url, 'Anyone there?');
    const leaving = await read(a.url, id);
    await leaving.waitForEvents(3);
    leaving.close();
    const later = await read(b.url, id);
    await later.ended;
    expect(lines(later)).toEqual(expectedRun('Anyone there?'));
  });

  it('answers 400 to a prompt that is not a string of 1 to 500 characters, 404 to a bad id', async () => {
    const { a } = await twoInstances();
    for (const prompt of ['', '  ', 'x'.repeat(501), 42]) {
      const response = await ask(a.url, prompt);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: '"prompt" must be a non-empty string of at most 500 characters',
      });
    }
    const refused = await fetch(`${a.url}/chat/${'x'.repeat(65)}/events`);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toEqual({ error: 'no such answer' });
    expect(await (await fetch(`${a.url}/chat/never-ran`)).json()).toEqual({ status: 'unknown' });
  });
});
