import { describeRuntimes, describeWithRuntime, sleep, useRuntime, waitUntil } from '@sse/test-kit';
import { expect, it } from 'vitest';

// `createResponse` in a plain fetch handler, served by Bun, Deno and workerd.
describeRuntimes('/core/events', 'createResponse');

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

describeWithRuntime('workerd', 'workerd without compatibility flags', () => {
  const context = useRuntime('workerd', '/core/events', { compatibilityFlags: [] });

  // Without enable_request_signal, request.signal never aborts: the failed heartbeat write is
  // what tells the stream its client left.
  it('cleans up a client that left by its next heartbeat', async () => {
    const fixture = context.fixture();
    const channel = fixture.unique('noflags');
    const tag = fixture.unique('tag');
    const client = await context.raw(fixture.events({ channel, heartbeat: 200, tag }));
    await waitUntil(async () => (await fixture.stats([channel])).sizes[0] === 1, 'subscribed');
    client.close();
    await waitUntil(
      async () => (await fixture.stats([channel])).sizes[0] === 0,
      'the channel drops the client',
      2000,
    );
    expect((await fixture.stats([], tag)).stream).toMatchObject({
      reason: 'client',
      aborted: true,
    });
  });
});
