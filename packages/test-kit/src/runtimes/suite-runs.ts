import { describe, expect, it } from 'vitest';
import { waitUntil } from '../wait';
import type { RuntimeContext } from './suite';

const TOKENS = ['Hel', 'lo', ' wor', 'ld'];

/** Runs (`hub.run`) produced in the runtime and read through the endpoint under test. */
export function describeRuntimeRuns(context: RuntimeContext): void {
  describe('runs', () => {
    const expected = (ids: readonly string[]) => [
      ...TOKENS.map((data, n) => ({ id: ids[n], event: undefined, data })),
      { id: ids[TOKENS.length], event: 'sse-end', data: `{"tokens":${TOKENS.length}}` },
    ];

    it('streams a run to a reader that came first, then ends its response', async () => {
      const fixture = context.fixture();
      const name = fixture.unique('answer:');
      const client = await context.raw(fixture.events({ topic: name, heartbeat: context.quiet }));
      await waitUntil(
        async () => (await fixture.stats([], undefined, [name])).topics[0] === 1,
        'the reader is subscribed',
      );
      const ids = await fixture.run(name, TOKENS);
      await client.ended;
      expect(client.events.map(({ id, event, data }) => ({ id, event, data }))).toEqual(
        expected(ids),
      );
    });

    it('gives a late reader the whole run, and 204 at its final event', async () => {
      const fixture = context.fixture();
      const name = fixture.unique('job:');
      const ids = await fixture.run(name, TOKENS);
      const url = fixture.events({ topic: name, heartbeat: context.quiet });
      const late = await context.raw(url);
      await late.ended;
      expect(late.status).toBe(200);
      expect(late.events.map(({ id, event, data }) => ({ id, event, data }))).toEqual(
        expected(ids),
      );
      const done = await context.raw(url, { headers: { 'Last-Event-ID': ids.at(-1)! } });
      await done.ended;
      expect(done.status).toBe(204);
      expect(done.text()).toBe('');
    });
  });
}
