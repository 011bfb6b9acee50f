import { openLeanSse, serveNodeSse, sleep, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel } from './channel';
import { runSseHandler } from './handler';

const CLIENTS = 20;
const RUN_MS = 3500;

let server: NodeSseServer | undefined;
let channels: Channel[] = [];
afterEach(async () => {
  for (const channel of channels) channel.close();
  await server?.close();
  server = undefined;
  channels = [];
});

/**
 * One client that keeps leaving and coming back with the id it saw last, recording every
 * event id it receives across all its connections.
 */
async function churn(
  url: string,
  until: () => boolean,
  publishingDone: Promise<string>,
): Promise<{ ids: string[]; connections: number }> {
  const received: string[] = [];
  let lastId: string | undefined;
  let connections = 0;
  for (;;) {
    const stopping = until();
    const client = await openLeanSse(url, {
      headers: lastId === undefined ? {} : { 'last-event-id': lastId },
      onEvent: (event) => {
        received.push(event.id ?? '');
        lastId = event.id;
      },
    });
    connections++;
    if (stopping) {
      // The last connection stays until it has everything that was published.
      const last = await publishingDone;
      await waitUntil(() => lastId === last, `the final event ${last}`, 15_000);
      client.close();
      return { ids: received, connections };
    }
    // A first connection without a last id would start live: keep it until it has one.
    if (lastId === undefined) await waitUntil(() => lastId !== undefined, 'a first event', 10_000);
    await sleep(5 + Math.random() * 60);
    client.close();
    if (connections % 3 === 0) await sleep(Math.random() * 20);
  }
}

describe('createChannel replay under churn', () => {
  // One channel, and a stream on a list of two (published to alternately) replayed as one.
  it.each([1, 2])(
    'gives every reconnecting client a sequence without gap or duplicate (%i channels)',
    async (count) => {
      channels = Array.from({ length: count }, () => createChannel({ history: 100_000 }));
      const list = channels;
      server = await serveNodeSse({ heartbeat: false }, (stream) => {
        runSseHandler(stream, list, undefined, []);
      });
      const published: string[] = [];
      let publishing = true;
      const publisher = (async () => {
        while (publishing) {
          published.push(await list[published.length % count]!.publish({ n: published.length }));
          await sleep(2);
        }
      })();
      const deadline = Date.now() + RUN_MS;
      const stopAt = () => Date.now() > deadline;
      // Publishing stops at the deadline; each client's last connection then catches up fully.
      const publishingDone = (async () => {
        await waitUntil(stopAt, 'the end of the run', RUN_MS + 1000, 20);
        publishing = false;
        await publisher;
        return published.at(-1)!;
      })();
      const url = server.url;
      const sequences = await Promise.all(
        Array.from({ length: CLIENTS }, () => churn(url, stopAt, publishingDone)),
      );

      expect(published.length).toBeGreaterThan(100);
      for (const { ids, connections } of sequences) {
        expect(connections).toBeGreaterThan(5);
        // Stitched across reconnects: every id from the first one received to the last published.
        const expected = published.slice(published.indexOf(ids[0]!));
        const seen = new Set(ids);
        const missing = expected.filter((id) => !seen.has(id));
        const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
        expect({ missing, duplicates }).toEqual({ missing: [], duplicates: [] });
        expect(ids).toEqual(expected);
      }
      await waitUntil(
        () => list.every((channel) => channel.size === 0),
        'every subscriber to leave',
      );
    },
    40_000,
  );
});
