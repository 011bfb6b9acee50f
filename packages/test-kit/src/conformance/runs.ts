import { describe, expect, it } from 'vitest';
import { createHub } from '@sse/core';
import type { ConformanceHarness } from './harness';

/**
 * Runs (`hub.run`) read through a target: a reader without `Last-Event-ID` gets the whole run
 * and its response ends after the final event; one holding the final id gets 204, no stream.
 */
export function describeRuns(harness: ConformanceHarness): void {
  describe('runs', () => {
    const startRun = async () => {
      const hub = createHub();
      const run = hub.run('answer');
      const ids = [await run.publish('Hel'), await run.publish('lo')];
      ids.push(await run.end({ tokens: 2 }));
      const server = await harness.start({
        options: { channel: () => hub.topics('answer'), heartbeat: false },
      });
      return { hub, ids, server };
    };

    it('gives a late reader the whole run, then ends its response after sse-end', async () => {
      const { hub, ids, server } = await startRun();
      try {
        const client = await harness.raw(server.url);
        await client.ended;
        expect(client.status).toBe(200);
        expect(client.events.map(({ id, event, data }) => ({ id, event, data }))).toEqual([
          { id: ids[0], event: undefined, data: 'Hel' },
          { id: ids[1], event: undefined, data: 'lo' },
          { id: ids[2], event: 'sse-end', data: '{"tokens":2}' },
        ]);
      } finally {
        hub.close();
      }
    });

    it("answers 204 No Content to a Last-Event-ID that is the run's final event", async () => {
      const { hub, ids, server } = await startRun();
      try {
        const done = await harness.raw(server.url, { headers: { 'Last-Event-ID': ids[2]! } });
        await done.ended;
        expect(done.status).toBe(204);
        expect(done.text()).toBe('');
        const resumed = await harness.raw(server.url, { headers: { 'Last-Event-ID': ids[0]! } });
        await resumed.ended;
        expect(resumed.status).toBe(200);
        expect(resumed.events.map((event) => event.id)).toEqual([ids[1], ids[2]]);
      } finally {
        hub.close();
      }
    });
  });
}
