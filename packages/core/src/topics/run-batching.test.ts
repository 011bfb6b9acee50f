import { openRawSse, serveNodeSse, sleep, type NodeSseServer } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backplane } from '../backplane';
import type { Broker } from '../brokers/broker';
import { memoryBroker } from '../brokers/memory-broker';
import { createHub } from './hub';
import type { Hub } from './hub-types';

let server: NodeSseServer | undefined;
let hub: Hub<{ message: string }> | undefined;
afterEach(async () => {
  hub?.close();
  await server?.close();
  server = undefined;
  hub = undefined;
});

/** A memoryBroker that counts store round trips (an append or an appendMany each). */
function countingBroker(): { broker: Broker; trips: () => number } {
  const inner = memoryBroker();
  let trips = 0;
  const broker: Broker = {
    runs: inner.runs,
    backplane(topic): Backplane {
      const backplane = inner.backplane(topic);
      return {
        ...backplane,
        append: (input) => (trips++, backplane.append(input)),
        appendMany: (inputs) => (trips++, backplane.appendMany!(inputs)),
      };
    },
    close: () => inner.close(),
  };
  return { broker, trips: () => trips };
}

async function serve(broker: Broker) {
  const created = createHub<{ message: string }>({ broker });
  hub = created;
  server = await serveNodeSse({ heartbeat: false }, (stream) => {
    created.topics('answer').subscribe(stream);
  });
  return { hub: created, url: server.url };
}

describe('run batching', () => {
  it('stores 10,000 tokens published as fast as possible in far fewer round trips', async () => {
    const { broker, trips } = countingBroker();
    const { hub, url } = await serve(broker);
    const client = await openRawSse(url);
    const run = hub.run('answer');
    for (let i = 0; i < 10_000; i++) await run.publish(`t${i} `);
    await run.end();
    await client.ended;
    const tokens = client.events.filter((event) => event.event === undefined);
    expect(tokens.map((event) => event.data)).toEqual(
      Array.from({ length: 10_000 }, (_, i) => `t${i} `),
    );
    const ratio = 10_001 / trips();
    console.info(`run batching: 10,001 events in ${trips()} round trips (${ratio.toFixed(0)}x)`);
    expect(trips()).toBeLessThan(10_001 / 20);
  });

  it('still delivers each token within milliseconds at a steady 1,000 tokens/s', async () => {
    const { broker, trips } = countingBroker();
    const { hub, url } = await serve(broker);
    const client = await openRawSse(url);
    const run = hub.run('answer');
    const sent: number[] = [];
    const latencies: number[] = [];
    let seen = 0;
    const poll = setInterval(() => undefined, 1);
    const count = 1000;
    const started = performance.now();
    const watching = (async () => {
      while (seen < count) {
        await client.waitForEvents(seen + 1, 10_000);
        const now = performance.now();
        for (; seen < client.events.length && seen < count; seen++)
          latencies.push(now - sent[seen]!);
      }
    })();
    for (let i = 0; i < count; i++) {
      // One token a millisecond, on schedule: a producer at 1,000 tokens/s.
      const due = started + i;
      if (due > performance.now()) await sleep(due - performance.now());
      sent.push(performance.now());
      await run.publish(`t${i}`);
    }
    await watching;
    clearInterval(poll);
    await run.end();
    latencies.sort((a, b) => a - b);
    const p50 = latencies[count / 2]!;
    const p99 = latencies[Math.floor(count * 0.99)]!;
    console.info(
      `run latency at 1,000 tokens/s: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ${trips()} round trips`,
    );
    // Batching never holds a token back for long: it goes with the next round trip.
    expect(p50).toBeLessThan(25);
  });
});
