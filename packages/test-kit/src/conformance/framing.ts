import { describe, expect, it } from 'vitest';
import type { ConformanceHarness } from './harness';

/** Payloads whose text must survive the wire exactly (line breaks normalised to LF by clients). */
const TEXT_CASES: { name: string; sent: string; received: string }[] = [
  {
    name: 'LF, CRLF and CR line breaks',
    sent: 'one\ntwo\r\nthree\rfour',
    received: 'one\ntwo\nthree\nfour',
  },
  { name: 'a trailing line break', sent: 'last line\n', received: 'last line\n' },
  { name: 'leading spaces', sent: '  indented', received: '  indented' },
  { name: 'an empty string', sent: '', received: '' },
  {
    name: 'unicode',
    sent: 'héllo wörld — 世界 🌍 \u2028',
    received: 'héllo wörld — 世界 🌍 \u2028',
  },
  {
    name: 'field-like text',
    sent: 'data: x\nid: 7\nevent: y\n: z',
    received: 'data: x\nid: 7\nevent: y\n: z',
  },
];

const OBJECT = { text: 'line 1\nline 2', list: [1, 2.5, null], nested: { ok: true, emoji: '🎉' } };

/** Framing: what the server sends is what a spec-compliant client receives. */
export function describeFraming(harness: ConformanceHarness): void {
  describe('framing', () => {
    it('delivers text payloads exactly to a real EventSource', async () => {
      const server = await harness.start({
        options: { heartbeat: false },
        handler: async (stream) => {
          for (const { sent } of TEXT_CASES) await stream.send(sent);
        },
      });
      const client = harness.eventSource(server.url);
      const received = await client.waitFor(TEXT_CASES.length);
      expect(received.map((event) => event.data)).toEqual(TEXT_CASES.map((c) => c.received));
    });

    it('sends objects as JSON, with event names and ids', async () => {
      const server = await harness.start({
        options: { heartbeat: false },
        handler: async (stream) => {
          await stream.send(OBJECT, { event: 'update', id: 'a-1' });
          await stream.send([1, 'two'], { id: 'a-2' });
        },
      });
      const client = harness.eventSource(server.url, ['update']);
      const [first, second] = await client.waitFor(2);
      expect(first).toEqual({ type: 'update', data: JSON.stringify(OBJECT), lastEventId: 'a-1' });
      expect(JSON.parse(first!.data)).toEqual(OBJECT);
      expect(second).toEqual({ type: 'message', data: '[1,"two"]', lastEventId: 'a-2' });
    });

    it('writes one data line per payload line and ends each frame with a blank line', async () => {
      const server = await harness.start({
        options: { heartbeat: false },
        handler: async (stream) => {
          await stream.send('a\r\nb', { event: 'pair', id: '9' });
        },
      });
      const client = await harness.raw(server.url);
      const [event] = await client.waitForEvents(1);
      expect(event).toMatchObject({ event: 'pair', id: '9', data: 'a\nb' });
      expect(client.text()).toContain('id: 9\nevent: pair\ndata: a\ndata: b\n\n');
    });

    it('frames multi-byte characters split across writes correctly', async () => {
      const long = '€'.repeat(20_000);
      const server = await harness.start({
        options: { heartbeat: false },
        handler: async (stream) => {
          await stream.send(long);
          await stream.send('after');
        },
      });
      const client = await harness.raw(server.url);
      const events = await client.waitForEvents(2);
      expect(events.map((event) => event.data)).toEqual([long, 'after']);
    });
  });
}
