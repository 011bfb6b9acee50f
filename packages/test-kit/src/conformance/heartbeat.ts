import { describe, expect, it } from 'vitest';
import type { ConformanceHarness } from './harness';

/** Comments seen after the opening one. */
const heartbeatsIn = (comments: readonly string[]) => Math.max(0, comments.length - 1);

/** Heartbeat: comments keep an idle stream alive; `false` turns them off. */
export function describeHeartbeat(harness: ConformanceHarness): void {
  describe('heartbeat', () => {
    it('sends comments on an idle stream at the configured interval', async () => {
      const server = await harness.start({ options: { heartbeat: 40 } });
      const client = await harness.raw(server.url);
      await client.waitForText(() => heartbeatsIn(client.comments) >= 3, 10_000);
      expect(client.events).toEqual([]);
      expect(client.text()).toMatch(/^(:[^\n]*\n\n)+$/);
    });

    it('sends no comment after the opening one when heartbeat is false', async () => {
      const silent = await harness.start({ options: { heartbeat: false } });
      const silentClient = await harness.raw(silent.url);
      await silentClient.waitForText((text) => text.length > 0);
      // A second stream with a short heartbeat is the clock: once it has beaten several times,
      // the silent one would have beaten too.
      const ticking = await harness.start({ options: { heartbeat: 40 } });
      const tickingClient = await harness.raw(ticking.url);
      await tickingClient.waitForText(() => heartbeatsIn(tickingClient.comments) >= 4, 10_000);
      expect(heartbeatsIn(silentClient.comments)).toBe(0);
      expect(silentClient.events).toEqual([]);
    });
  });
}
