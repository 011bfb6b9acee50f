import { describe, expect, it } from 'vitest';
import { RUNTIME_OBJECT, RUNTIME_TEXT_CASES } from './fixture-scripts';
import type { RuntimeContext } from './suite';

/** Comments seen after the opening one. */
const heartbeatsIn = (comments: readonly string[]) => Math.max(0, comments.length - 1);

/** Wire format, response head, first flush and heartbeats, as a client of the runtime sees them. */
export function describeRuntimeWire(context: RuntimeContext): void {
  describe('wire', () => {
    it('delivers multi-line and unicode payloads exactly to a real EventSource', async () => {
      const url = context.fixture().events({ heartbeat: context.quiet, script: 'framing' });
      const client = context.eventSource(url, ['pair']);
      const received = await client.waitFor(RUNTIME_TEXT_CASES.length + 2);
      expect(received.slice(0, RUNTIME_TEXT_CASES.length).map((event) => event.data)).toEqual(
        RUNTIME_TEXT_CASES.map((c) => c.received),
      );
      expect(received[RUNTIME_TEXT_CASES.length]).toEqual({
        type: 'pair',
        data: 'a\nb',
        lastEventId: '9',
      });
      // 60 kB of three-byte characters: split across chunks, rebuilt exactly.
      expect(received.at(-1)!.data).toBe('€'.repeat(20_000));
    });

    it('writes one data line per payload line and sends objects as JSON', async () => {
      const fixture = context.fixture();
      const framing = await context.raw(
        fixture.events({ heartbeat: context.quiet, script: 'framing' }),
      );
      await framing.waitForEvents(RUNTIME_TEXT_CASES.length + 2);
      expect(framing.text()).toContain('id: 9\nevent: pair\ndata: a\ndata: b\n\n');
      expect(framing.text()).toContain('data: one\ndata: two\ndata: three\ndata: four\n\n');

      const object = context.eventSource(
        fixture.events({ heartbeat: context.quiet, script: 'object' }),
        ['update'],
      );
      const [event] = await object.waitFor(1);
      expect(event).toEqual({
        type: 'update',
        data: JSON.stringify(RUNTIME_OBJECT),
        lastEventId: 'a-1',
      });
    });

    it('answers 200 with the SSE headers, streamed without a Content-Length', async () => {
      // As browsers ask (node:http without an agent would ask for `Connection: close`).
      const client = await context.raw(context.fixture().events({ heartbeat: context.quiet }), {
        headers: { Connection: 'keep-alive' },
      });
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(client.headers['cache-control']).toBe('no-cache, no-transform');
      expect(client.headers['x-accel-buffering']).toBe('no');
      expect(client.headers['content-length']).toBeUndefined();
      // Fetch runtimes own the connection: we set no Connection header, nor may they close it.
      expect(client.headers['connection'] ?? 'keep-alive').toMatch(/^keep-alive$/i);
    });

    it('flushes at once: open fires on a real EventSource before any event', async () => {
      const fixture = context.fixture();
      const channel = fixture.unique('flush');
      const client = context.eventSource(fixture.events({ channel, heartbeat: context.quiet }));
      await client.opened;
      expect(client.received).toEqual([]);
      const [id] = await fixture.publish(channel, 'first');
      expect(await client.waitFor(1)).toEqual([
        { type: 'message', data: 'first', lastEventId: id },
      ]);
    });

    it('writes the opening comment and the retry line as soon as the stream opens', async () => {
      const client = await context.raw(
        context.fixture().events({ heartbeat: context.quiet, retry: 2500 }),
      );
      await client.waitForText((text) => text.includes('retry: 2500\n'));
      expect(client.text()).toMatch(/^:/);
      expect(client.retries).toEqual([2500]);
      expect(client.events).toEqual([]);
    });

    it('sends heartbeat comments on an idle stream, and none with heartbeat: context.quiet', async () => {
      const fixture = context.fixture();
      const silent = await context.raw(fixture.events({ heartbeat: context.quiet }));
      // (On workerd `quiet` is a minute: longer than this test.)
      const ticking = await context.raw(fixture.events({ heartbeat: 40 }));
      await ticking.waitForText(() => heartbeatsIn(ticking.comments) >= 4, 10_000);
      expect(ticking.events).toEqual([]);
      expect(ticking.text()).toMatch(/^(:[^\n]*\n\n)+$/);
      expect(heartbeatsIn(silent.comments)).toBe(0);
    });

    it('sends no heartbeat while the stream is busy, then beats once it is idle', async () => {
      const client = await context.raw(
        context.fixture().events({ heartbeat: 400, script: 'busy' }),
      );
      await client.waitForText((text) => text.includes('data: idle now\n\n'));
      // Written every 20 ms for 800 ms: never idle for a heartbeat interval.
      expect(heartbeatsIn(client.comments)).toBe(0);
      await client.waitForText(() => heartbeatsIn(client.comments) >= 1, 3000);
    });

    it('keeps every stream of one heartbeat interval open and heartbeated', async () => {
      // workerd cancels a request with no pending work of its own: each stream needs its timer.
      const fixture = context.fixture();
      const clients = await Promise.all(
        [1, 2, 3].map(() => context.raw(fixture.events({ heartbeat: 100 }))),
      );
      for (const client of clients) {
        await client.waitForText(() => heartbeatsIn(client.comments) >= 5, 5000);
      }
      let ended = false;
      void Promise.race(clients.map((client) => client.ended)).then(() => (ended = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(ended).toBe(false);
    });
  });
}
