import { afterEach, describe, expect, it } from 'vitest';
import { recordEventSource, type RecordingEventSource } from './event-source';
import { openRawSse, type RawSseResponse } from './raw-client';
import { describeExamplePageInBrowser } from './example-browser';

/** A running example app: where it listens, and how to stop it (dropping open streams). */
export interface ExampleAppServer {
  url: string;
  close(): Promise<void>;
}

/** Generous, for a loaded machine: the clock ticks once a second. */
const EVENT_TIMEOUT_MS = 10_000;

/**
 * The smoke suite every example under `examples/` runs against its own server, so that the four
 * behave the same: `GET /` the page, `GET /clock` a `tick` every second with `{ "now": <ISO> }`,
 * `GET /events` a channel with Last-Event-ID replay, and `POST /publish` that answers 202
 * `{ "id" }` to JSON and 415 / 400 / 413 `{ "error" }` to a non-JSON type / bad JSON / over 64 KiB;
 * then the page itself in headless Chromium (`describeExamplePageInBrowser`).
 *
 * @param framework - The framework's name, which the page must show.
 * @param start - Starts a fresh app on 127.0.0.1 port 0; called once per test.
 */
export function describeExampleApp(
  framework: string,
  start: () => Promise<ExampleAppServer>,
): void {
  describe(`${framework} example`, () => {
    let server: ExampleAppServer | undefined;
    let sources: RecordingEventSource[] = [];
    let raws: RawSseResponse[] = [];

    afterEach(async () => {
      for (const source of sources) source.close();
      for (const raw of raws) raw.close();
      sources = [];
      raws = [];
      await server?.close();
      server = undefined;
    });

    async function startApp(): Promise<string> {
      server = await start();
      return server.url;
    }

    function listenTo(url: string, eventNames?: string[]): RecordingEventSource {
      const source = recordEventSource(url, eventNames);
      sources.push(source);
      return source;
    }

    function post(url: string, body: BodyInit, contentType?: string): Promise<Response> {
      return fetch(`${url}/publish`, {
        method: 'POST',
        headers: contentType === undefined ? {} : { 'content-type': contentType },
        body,
      });
    }

    async function publishJson(url: string, value: unknown): Promise<string> {
      const response = await post(url, JSON.stringify(value), 'application/json');
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: unknown };
      expect(typeof id).toBe('string');
      return id as string;
    }

    /** Refused requests published nothing: the first event /events sees is a later, good one. */
    async function expectNextEventIs(events: RecordingEventSource, url: string): Promise<void> {
      const id = await publishJson(url, { text: 'after the refusals' });
      const [first] = await events.waitFor(1, EVENT_TIMEOUT_MS);
      expect(first).toEqual({
        type: 'message',
        data: '{"text":"after the refusals"}',
        lastEventId: id,
      });
    }

    async function expectRefusal(response: Response, status: number): Promise<void> {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      const body = (await response.json()) as { error?: unknown };
      expect(typeof body.error).toBe('string');
    }

    it('serves the page at / as HTML that names the framework and opens /clock and /events', async () => {
      const url = await startApp();
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain(`@sse/${framework}`);
      expect(html).toContain("new EventSource('/clock')");
      expect(html).toContain("new EventSource('/events')");
    });

    it('streams tick events at /clock whose data is { "now": <ISO time> }', async () => {
      const url = await startApp();
      const clock = listenTo(`${url}/clock`, ['tick']);
      const ticks = await clock.waitFor(2, EVENT_TIMEOUT_MS);
      for (const tick of ticks) {
        expect(tick.type).toBe('tick');
        const data = JSON.parse(tick.data) as { now: string };
        expect(Object.keys(data)).toEqual(['now']);
        expect(new Date(data.now).toISOString()).toBe(data.now);
      }
    });

    it('publishes a POSTed JSON body to /events and answers 202 with its event id', async () => {
      const url = await startApp();
      const events = listenTo(`${url}/events`);
      await events.opened;
      const id = await publishJson(url, { text: 'hello' });
      const [event] = await events.waitFor(1, EVENT_TIMEOUT_MS);
      expect(event).toEqual({ type: 'message', data: '{"text":"hello"}', lastEventId: id });
    });

    it('replays on /events what was published after the Last-Event-ID', async () => {
      const url = await startApp();
      const ids: string[] = [];
      for (const n of [1, 2, 3]) ids.push(await publishJson(url, { n }));
      const raw = await openRawSse(`${url}/events`, { headers: { 'Last-Event-ID': ids[0]! } });
      raws.push(raw);
      expect(raw.status).toBe(200);
      const replayed = await raw.waitForEvents(2, EVENT_TIMEOUT_MS);
      expect(replayed.map(({ id, data }) => ({ id, data }))).toEqual([
        { id: ids[1], data: '{"n":2}' },
        { id: ids[2], data: '{"n":3}' },
      ]);
    });

    it('answers 415 { error } to a body whose content type is not JSON, publishing nothing', async () => {
      const url = await startApp();
      const events = listenTo(`${url}/events`);
      await events.opened;
      await expectRefusal(await post(url, 'plain text', 'text/plain'), 415);
      // JSON text, but not declared as such (fetch sends no content type for bytes).
      await expectRefusal(await post(url, new TextEncoder().encode('{"text":"hi"}')), 415);
      await expectNextEventIs(events, url);
    });

    it('answers 400 { error } to malformed or empty JSON, publishing nothing', async () => {
      const url = await startApp();
      const events = listenTo(`${url}/events`);
      await events.opened;
      await expectRefusal(await post(url, '{ not json', 'application/json'), 400);
      await expectRefusal(await post(url, '', 'application/json; charset=utf-8'), 400);
      await expectNextEventIs(events, url);
    });

    it('answers 413 { error } to a JSON body over 64 KiB, publishing nothing', async () => {
      const url = await startApp();
      const events = listenTo(`${url}/events`);
      await events.opened;
      const large = JSON.stringify({ text: 'x'.repeat(64 * 1024) });
      await expectRefusal(await post(url, large, 'application/json'), 413);
      await expectNextEventIs(events, url);
    });
  });
  describeExamplePageInBrowser(framework, start);
}
