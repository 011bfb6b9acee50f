import {
  churnClient,
  serveNodeSse,
  sleep,
  stitchReport,
  waitUntil,
  type NodeSseServer,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, type Channel } from './channel';
import { runSseHandler } from './adapter/run-handler';

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
        Array.from({ length: CLIENTS }, () => churnClient(url, stopAt, publishingDone)),
      );

      expect(published.length).toBeGreaterThan(100);
      for (const { ids, connections } of sequences) {
        expect(connections).toBeGreaterThan(5);
        // Stitched across reconnects: every id from the first one received to the last published.
        expect(stitchReport(published, ids)).toEqual({ missing: [], duplicates: [] });
        expect(ids).toEqual(published.slice(published.indexOf(ids[0]!)));
      }
      await waitUntil(
        () => list.every((channel) => channel.size === 0),
        'every subscriber to leave',
      );
    },
    40_000,
  );
});
