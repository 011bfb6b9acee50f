import { describe, expect, it } from 'vitest';
import { createChannel, type Channel, type SseCloseReason, type SseStream } from '@sse/core';
import type { SseTargetServer } from './conformance/target';
import { useTestResources } from './test-resources';
import { waitUntil } from './wait';

/** What the request suite asks a target to serve. */
export interface RequestSuiteSetup {
  /**
   * Serve `GET /rooms/:room/events` with `sse({ channel: (req) => channelOf(room), heartbeat:
   * false })`, the room read from the framework's route parameters.
   */
  channelOf(room: string): Channel | undefined;
  /** Serve `GET /events` with `sse({ channel, onError, heartbeat: false }, handler)`. */
  channel: Channel;
  onError: (error: unknown) => void;
  handler: (stream: SseStream) => void | Promise<void>;
}

/** One framework's router and upstream middleware in front of its SSE adapter. */
export interface RequestSuiteTarget {
  /** Shown in the test names: `requests: <name>`. */
  name: string;
  /**
   * Starts a real server on 127.0.0.1 port 0 with the routes of `setup`, behind middleware
   * that sets, the framework's own way, `X-Trace-Id: trace-42`, an HttpOnly cookie
   * `session=abc` and `Content-Length: 5`. Returns the server's origin URL and a close function.
   */
  start(setup: RequestSuiteSetup): Promise<SseTargetServer>;
  /** The `Set-Cookie` header the framework writes for the `session=abc` HttpOnly cookie. */
  sessionCookie: string;
}

/**
 * Declares the tests (vitest `describe`/`it`) of what an adapter takes from the request and
 * the middleware before it: a channel chosen by a route parameter, Last-Event-ID replay,
 * errors after open going to `onError`, and headers set upstream kept on the stream.
 */
export function describeRequests(target: RequestSuiteTarget): void {
  describe(`requests: ${target.name}`, () => {
    const resources = useTestResources();

    async function serve(setup: Partial<RequestSuiteSetup>): Promise<string> {
      const server = await target.start({
        channelOf: () => undefined,
        channel: createChannel(),
        onError: () => undefined,
        handler: () => undefined,
        ...setup,
      });
      resources.server(server);
      return server.url;
    }
    const raw = (url: string, headers?: Record<string, string>) => resources.raw(url, { headers });

    it('subscribes to the channel a function of the request chooses', async () => {
      const rooms = new Map<string, Channel>([
        ['a', createChannel()],
        ['b', createChannel()],
      ]);
      const url = await serve({ channelOf: (room) => rooms.get(room) });
      const client = resources.eventSource(`${url}/rooms/b/events`);
      await client.opened;
      await waitUntil(() => rooms.get('b')!.size === 1, 'the stream joins room b');
      await rooms.get('a')!.publish('for a');
      await rooms.get('b')!.publish('for b');
      expect((await client.waitFor(1))[0]!.data).toBe('for b');
      expect(rooms.get('a')!.size).toBe(0);
    });

    it('reads Last-Event-ID and replays the missed events', async () => {
      const channel = createChannel();
      const ids: string[] = [];
      for (const n of [1, 2, 3]) ids.push(await channel.publish(`event ${n}`));
      const url = await serve({
        channel,
        handler: (stream) => stream.send(stream.lastEventId ?? 'none', { event: 'resumed-from' }),
      });
      const client = await raw(`${url}/events`, { 'Last-Event-ID': ids[0]! });
      const events = await client.waitForEvents(3);
      expect(events.map(({ event, data }) => ({ event, data }))).toEqual([
        { event: 'resumed-from', data: ids[0] },
        { event: undefined, data: 'event 2' },
        { event: undefined, data: 'event 3' },
      ]);
      expect(events[1]).toMatchObject({ id: ids[1], data: 'event 2' });
      expect(events[2]).toMatchObject({ id: ids[2], data: 'event 3' });
    });

    it('sends errors raised after the stream opened to onError and closes the stream', async () => {
      const reported: unknown[] = [];
      const reasons: SseCloseReason[] = [];
      const url = await serve({
        onError: (error) => reported.push(error),
        handler: async (stream) => {
          stream.onClose((reason) => reasons.push(reason));
          await stream.send('hello');
          throw new Error('handler failed');
        },
      });
      const client = await raw(`${url}/events`);
      await client.ended;
      expect(client.events.map((event) => event.data)).toEqual(['hello']);
      expect(reported).toEqual([new Error('handler failed')]);
      expect(reasons).toEqual(['error']);
    });

    it('keeps headers set by earlier middleware (cookies, tracing) but no Content-Length', async () => {
      const client = await raw(`${await serve({})}/events`);
      expect(client.status).toBe(200);
      expect(client.headers['set-cookie']).toEqual([target.sessionCookie]);
      expect(client.headers['x-trace-id']).toBe('trace-42');
      expect(client.headers['content-length']).toBeUndefined();
      expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    });
  });
}
