import { describeWithRuntime, sleep, useRuntime } from '@sse/test-kit';
import { expect, it } from 'vitest';

// A file of its own: its one long wait runs beside the other runtime tests.
describeWithRuntime('bun', 'Bun.serve with its defaults', () => {
  const context = useRuntime('bun', '/core/events');

  // Bun.serve's idleTimeout (10 s) cuts an idle connection after 8 to 12 s: the heartbeat
  // default on Bun keeps a stream open however long it stays idle.
  it('keeps idle streams open past 12 s, with createResponse and @sse/hono', async () => {
    const fixture = context.fixture();
    const tags = [fixture.unique('idle'), fixture.unique('idle')];
    const clients = await Promise.all([
      context.raw(fixture.events({ tag: tags[0]! })),
      context.raw(fixture.events({ tag: tags[1]! }).replace('/core/', '/hono/')),
    ]);
    await sleep(13_000);
    for (const [index, client] of clients.entries()) {
      // The opening comment, then at least two heartbeats.
      expect(client.comments.length).toBeGreaterThanOrEqual(3);
      expect((await fixture.stats([], tags[index])).stream?.reason).toBeUndefined();
    }
    let ended = false;
    void Promise.race(clients.map((client) => client.ended)).then(() => (ended = true));
    await sleep(10);
    expect(ended).toBe(false);
  }, 20_000);
});
