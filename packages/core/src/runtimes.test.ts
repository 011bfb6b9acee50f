import { describeRuntimes, describeWithRuntime, useRuntime, waitUntil } from '@sse/test-kit';
import { expect, it } from 'vitest';

// `createResponse` in a plain fetch handler, served by Bun, Deno and workerd.
describeRuntimes('/core/events', 'createResponse');

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
