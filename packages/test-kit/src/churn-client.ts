import { openLeanSse } from './lean-client';
import { sleep, waitUntil } from './wait';

/** What one churning client received, across all its connections. */
export interface ChurnResult {
  /** Every event id received, in order. */
  ids: string[];
  connections: number;
}

/**
 * One client that keeps leaving and coming back with the id it saw last, recording every
 * event id it receives across all its connections. `url` may change per connection (another
 * server instance). Once `until()` holds, its last connection stays until it has the id
 * `publishingDone` resolves with.
 */
export async function churnClient(
  url: string | ((connection: number) => string),
  until: () => boolean,
  publishingDone: Promise<string>,
): Promise<ChurnResult> {
  const received: string[] = [];
  let lastId: string | undefined;
  let connections = 0;
  for (;;) {
    const stopping = until();
    const client = await openLeanSse(typeof url === 'string' ? url : url(connections), {
      headers: lastId === undefined ? {} : { 'last-event-id': lastId },
      onEvent: (event) => {
        received.push(event.id ?? '');
        lastId = event.id;
      },
    });
    connections++;
    if (stopping) {
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

/** The ids a client should have seen (published from its first one on) against what it got. */
export function stitchReport(
  published: readonly string[],
  ids: readonly string[],
): { missing: string[]; duplicates: string[] } {
  const expected = published.slice(published.indexOf(ids[0]!));
  const seen = new Set(ids);
  return {
    missing: expected.filter((id) => !seen.has(id)),
    duplicates: ids.filter((id, i) => ids.indexOf(id) !== i),
  };
}
