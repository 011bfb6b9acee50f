import { createServer } from 'node:http';
import express from 'express';
import { createHub } from '@sse/core';
import { listen, recordEventSource, sleep, type Listening } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { sse } from './sse';

const ANSWER = Array.from({ length: 40 }, (_, i) => `w${i} `);

/** A deterministic fake model: one token every few ms, stopping when asked. */
async function* fakeModel(signal: AbortSignal): AsyncGenerator<string> {
  for (const token of ANSWER) {
    if (signal.aborted) return;
    await sleep(3);
    yield token;
  }
}

/** The core README's AI streaming recipe: POST starts a run, GET reads it, POST stops it. */
function chatApp() {
  const hub = createHub<{ message: string }>();
  const app = express();
  app.post('/chat', (_req, res) => {
    const id = String(Math.random()).slice(2);
    const run = hub.run(`answer:${id}`, { ttl: 60 });
    void (async () => {
      try {
        for await (const token of fakeModel(run.signal)) await run.publish(token);
        await run.end({ reason: run.signal.aborted ? 'stopped' : 'done' });
      } catch (error) {
        await run.fail(error);
      }
    })();
    res.status(202).json({ id });
  });
  app.get(
    '/chat/:id/events',
    sse({ heartbeat: false, channel: (req) => hub.topics(`answer:${String(req.params.id)}`) }),
  );
  app.post('/chat/:id/stop', async (req, res) => {
    await hub.cancel(`answer:${req.params.id}`);
    res.sendStatus(204);
  });
  return { app, hub };
}

/** The README's fetch reader (headers allowed), stopping after `max` tokens when given. */
async function readRun(
  url: string,
  onToken: (text: string) => void,
  lastEventId?: string,
  max = Infinity,
): Promise<{ status: number; lastEventId: string | undefined; ended: boolean }> {
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    authorization: 'Bearer test',
  };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  if (response.status === 204) return { status: 204, lastEventId, ended: true };
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let count = 0;
  let ended = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { status: response.status, lastEventId, ended };
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const fields = Object.fromEntries(
        buffer
          .slice(0, end)
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      ) as Record<string, string | undefined>;
      buffer = buffer.slice(end + 2);
      if (fields.id) lastEventId = fields.id;
      if (fields.event === 'sse-end') ended = true;
      if (fields.data !== undefined && !fields.event) {
        onToken(fields.data);
        if (++count === max) {
          // A network error mid-answer, as the client sees it.
          controller.abort();
          return { status: response.status, lastEventId, ended };
        }
      }
    }
  }
}

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start() {
  const { app, hub } = chatApp();
  server = await listen(createServer(app));
  const { id } = (await (await fetch(`${server.url}/chat`, { method: 'POST' })).json()) as {
    id: string;
  };
  return { hub, events: `${server.url}/chat/${id}/events`, stop: `${server.url}/chat/${id}/stop` };
}

describe('the AI streaming recipe (POST starts a run, GET reads it)', () => {
  it('an EventSource reads the whole answer and its end', async () => {
    const { hub, events } = await start();
    const source = recordEventSource(events, ['sse-end']);
    const received = await source.waitFor(ANSWER.length + 1);
    source.close();
    expect(received.slice(0, -1).map((event) => event.data)).toEqual(ANSWER);
    expect(received.at(-1)).toMatchObject({ type: 'sse-end', data: '{"reason":"done"}' });
    hub.close();
  });

  it('a fetch reader with headers resumes after a network error with no gap and no duplicate, then gets 204', async () => {
    const { hub, events } = await start();
    const tokens: string[] = [];
    const first = await readRun(events, (token) => tokens.push(token), undefined, 10);
    expect(first).toMatchObject({ status: 200, ended: false });
    const rest = await readRun(events, (token) => tokens.push(token), first.lastEventId);
    expect(rest).toMatchObject({ status: 200, ended: true });
    expect(tokens).toEqual(ANSWER);
    expect((await readRun(events, () => undefined, rest.lastEventId)).status).toBe(204);
    hub.close();
  });

  it('the stop endpoint cancels the run: readers get its end, marked stopped', async () => {
    const { hub, events, stop } = await start();
    const source = recordEventSource(events, ['sse-end']);
    await source.waitFor(3);
    expect((await fetch(stop, { method: 'POST' })).status).toBe(204);
    await new Promise<void>((resolve) =>
      source.source.addEventListener('sse-end', () => resolve(), { once: true }),
    );
    source.close();
    const end = source.received.at(-1)!;
    expect(end).toMatchObject({ type: 'sse-end', data: '{"reason":"stopped"}' });
    expect(source.received.length - 1).toBeLessThan(ANSWER.length);
    hub.close();
  });
});
