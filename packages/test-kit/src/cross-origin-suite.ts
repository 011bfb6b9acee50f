import { describe, expect, it } from 'vitest';
import { createChannel, type Channel, type SseStream } from '@sse/core';
import { recordCrossOriginEventSource } from './conformance/cross-origin-client';
import type { SseTargetServer } from './conformance/target';
import { useTestResources } from './test-resources';
import { waitUntil } from './wait';

/** The origin of the page that opens the stream in the cross-origin suite. */
const ORIGIN = 'http://app.example';

/** What the cross-origin suite asks a target to serve at `/events`. */
export interface CrossOriginSetup {
  /** The only origin the framework's CORS middleware allows, with `credentials: true`. */
  origin: string;
  /** Subscribe every opened stream to this channel (pass it as the `channel` option). */
  channel: Channel;
  /**
   * Call with every opened stream and the request's `Cookie` header as the handler sees it
   * (`undefined` when there is none).
   */
  handler: (stream: SseStream, cookie: string | undefined) => void | Promise<void>;
}

/**
 * Expects the handler's first event to be the cookie it received, then publishes one event on
 * `channel` once the stream subscribed and expects it next.
 */
async function expectCookieThenEvent(
  channel: Channel,
  waitForEvents: (count: number) => Promise<readonly { data: string }[]>,
): Promise<void> {
  await waitUntil(() => channel.size === 1, 'the stream is subscribed');
  await channel.publish('cross-origin');
  expect((await waitForEvents(2)).map((event) => event.data)).toEqual(['sid=1', 'cross-origin']);
}

/** One framework's CORS middleware in front of its SSE adapter. */
export interface CrossOriginTarget {
  /** Shown in the test names: `cross-origin: <name>`. */
  name: string;
  /**
   * Starts a real server on 127.0.0.1 port 0 that runs the framework's CORS middleware
   * (`origin: setup.origin, credentials: true`) before `sse(...)` at `/events`, with heartbeats
   * off. Returns the server's origin URL (`http://127.0.0.1:PORT`) and a close function.
   */
  start(setup: CrossOriginSetup): Promise<SseTargetServer>;
  /**
   * The `Content-Type` the CORS middleware itself puts on its preflight answer (hono/cors
   * answers with an empty `text/plain` body); `undefined` when it sends none.
   * @default undefined
   */
  preflightContentType?: string;
}

/**
 * Declares the cross-origin tests (vitest `describe`/`it`) for one framework: the CORS headers
 * survive on the stream, a credentialed EventSource from another origin gets its cookie to the
 * handler and receives events, and a preflight is answered without opening a stream.
 */
export function describeCrossOrigin(target: CrossOriginTarget): void {
  describe(`cross-origin: ${target.name}`, () => {
    const resources = useTestResources();

    /** Starts the target with a fresh channel; counts the streams its handler saw. */
    async function serve(): Promise<{ url: string; channel: Channel; opened: () => number }> {
      const channel = createChannel();
      let opened = 0;
      const server = await target.start({
        origin: ORIGIN,
        channel,
        handler: (stream, cookie) => {
          opened++;
          return stream.send(cookie ?? '');
        },
      });
      resources.server(server);
      return { url: `${server.url}/events`, channel, opened: () => opened };
    }

    it('keeps the CORS headers with credentials on the stream and delivers events', async () => {
      const { url, channel } = await serve();
      const client = await resources.raw(url, { headers: { Origin: ORIGIN, Cookie: 'sid=1' } });
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(client.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(client.headers['access-control-allow-credentials']).toBe('true');
      // The opening comment is flushed with the headers.
      await client.waitForText((text) => text.startsWith(': \n\n'));
      await expectCookieThenEvent(channel, (count) => client.waitForEvents(count));
    });

    it('serves a withCredentials EventSource from another origin, cookie included', async () => {
      const { url, channel } = await serve();
      const client = resources.client(
        recordCrossOriginEventSource(url, { origin: ORIGIN, cookie: 'sid=1' }),
      );
      await client.opened;
      expect(client.source.withCredentials).toBe(true);
      const { headers } = client.responses[0]!;
      expect(headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(headers.get('access-control-allow-credentials')).toBe('true');
      await expectCookieThenEvent(channel, (count) => client.waitFor(count));
    });

    it('lets the CORS middleware answer the preflight without opening a stream', async () => {
      const { url, channel, opened } = await serve();
      const response = await resources.raw(url, {
        method: 'OPTIONS',
        headers: {
          Origin: ORIGIN,
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'last-event-id',
        },
      });
      await response.ended;
      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers['access-control-allow-headers']).toBe('last-event-id');
      expect(response.headers['content-type']).toBe(target.preflightContentType);
      expect(response.text()).toBe('');
      expect(opened()).toBe(0);
      expect(channel.size).toBe(0);
    });
  });
}
