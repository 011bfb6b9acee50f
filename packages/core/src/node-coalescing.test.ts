import { createServer } from 'node:http';
import { listen, openRawSse, type Listening } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from './channel';
import { openNodeStream } from './node';

// The binding's own behaviour, over a real socket: frames written within one tick are joined
// into one write (how few chunks that takes on the wire: `pnpm --filter @sse/bench check:chunks`).
let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('openNodeStream writes', () => {
  it('delivers the frames sent within one tick in order and intact', async () => {
    server = await listen(
      createServer((req, res) => {
        const stream = openNodeStream(req, res, { heartbeat: false });
        // One synchronous burst, as a `send()` loop that never waits produces.
        for (let n = 1; n <= 200; n++) void stream.send({ n, text: `événement ${n}` });
      }),
    );
    const client = await openRawSse(server.url);
    const events = await client.waitForEvents(200);
    expect(events.map((event) => (JSON.parse(event.data) as { n: number }).n)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(events[199]!.data).toBe('{"n":200,"text":"événement 200"}');
    client.close();
  });

  it('keeps order and bytes when text and channel frames are joined in one tick', async () => {
    const channel = createChannel();
    server = await listen(
      createServer((req, res) => {
        const stream = openNodeStream(req, res, { heartbeat: false });
        channel.subscribe(stream);
        for (let n = 1; n <= 3; n++) void stream.send(`texte ${n} é`);
        for (let n = 4; n <= 6; n++) void channel.publish(`canal ${n} ✓`);
        for (let n = 7; n <= 9; n++) void stream.send(`texte ${n} é`);
      }),
    );
    const client = await openRawSse(server.url);
    const events = await client.waitForEvents(9);
    expect(events.map((event) => event.data)).toEqual([
      ...[1, 2, 3].map((n) => `texte ${n} é`),
      ...[4, 5, 6].map((n) => `canal ${n} ✓`),
      ...[7, 8, 9].map((n) => `texte ${n} é`),
    ]);
    client.close();
    channel.close();
  });
});
