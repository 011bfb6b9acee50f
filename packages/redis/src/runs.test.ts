import { afterEach, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '@sse/core';
import { openRawSse, serveNodeSse, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { redisBroker } from './index';
import { adminClient, freshPrefix, REDIS_URL } from './redis-test-helpers.test-helper';

type Tokens = { message: string };
const hubs: Hub<Tokens>[] = [];
const servers: NodeSseServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const hub of hubs.splice(0)) hub.close();
});

/** Two instances sharing one Redis: a hub each, on a redisBroker each. */
function twoInstances() {
  const prefix = freshPrefix();
  const brokers = [
    redisBroker({ url: REDIS_URL, prefix }),
    redisBroker({ url: REDIS_URL, prefix }),
  ];
  const [a, b] = brokers.map((broker) => createHub<Tokens>({ broker }));
  hubs.push(a!, b!);
  return { a: a!, b: b!, close: () => Promise.all(brokers.map((broker) => broker.close())) };
}

async function serveTopic(hub: Hub<Tokens>, name: string): Promise<string> {
  const server = await serveNodeSse({ heartbeat: false }, (stream) => {
    hub.topics(name).subscribe(stream);
  });
  servers.push(server);
  return server.url;
}

describe('runs on redisBroker', () => {
  it('a reader on another instance gets the whole run (not trimmed to maxLen) and its end', async () => {
    const { a, b, close } = twoInstances();
    const run = a.run('answer:1');
    for (let i = 0; i < 3000; i++) await run.publish(`t${i}`);
    const endId = await run.end({ tokens: 3000 });
    expect(await b.runStatus('answer:1')).toBe('ended');

    const reader = await openRawSse(await serveTopic(b, 'answer:1'));
    await reader.ended;
    expect(reader.events).toHaveLength(3001);
    expect(reader.events[0]!.data).toBe('t0');
    expect(reader.events.at(-1)).toMatchObject({ id: endId, event: 'sse-end' });
    // A client holding the final id is answered 204 (adapters check before the stream opens).
    await expect(
      Promise.resolve(b.topics('answer:1').beforeOpen?.({ lastEventId: endId })),
    ).rejects.toMatchObject({ code: 'ERR_SSE_ENDED', status: 204 });
    await close();
  });

  it('follows a run live from another instance and resumes after a Last-Event-ID', async () => {
    const { a, b, close } = twoInstances();
    const run = a.run('answer:2');
    const url = await serveTopic(b, 'answer:2');
    const first = await run.publish('Hel');
    const live = await openRawSse(url);
    await live.waitForEvents(1);
    await run.publish('lo');
    await run.fail(new Error('overloaded'));
    await live.ended;
    expect(live.events.map((event) => `${event.event ?? ''}:${event.data}`)).toEqual([
      ':Hel',
      ':lo',
      'sse-error:{"message":"overloaded"}',
    ]);
    const resumed = await openRawSse(url, { headers: { 'Last-Event-ID': first } });
    await resumed.ended;
    expect(resumed.events.map((event) => event.data)).toEqual(['lo', '{"message":"overloaded"}']);
    expect(await b.runStatus('answer:2')).toBe('failed');
    await close();
  });

  it('cancels a run from another instance: its signal aborts where it is produced', async () => {
    const { a, b, close } = twoInstances();
    const run = a.run('answer:3');
    await run.publish('thinking');
    await waitUntil(async () => (await b.runStatus('answer:3')) === 'running', 'the run');
    // Once, even before the producer's cancel subscription is set up: the cancel is recorded
    // with the run, and the producer finds it at its next lease renewal (a third of 10 s).
    await b.cancel('answer:3');
    await waitUntil(() => run.signal.aborted, 'the cancel to reach the producer', 10_000);
    await run.end({ reason: 'stopped' });
    expect(await b.runStatus('answer:3')).toBe('ended');
    await close();
  });

  it('stores 10,000 tokens in few round trips, and counts the Redis commands per token', async () => {
    const { a, close } = twoInstances();
    const redis = await adminClient();
    const commands = async () => {
      const info = (await redis.sendCommand(['INFO', 'stats'])) as string;
      return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
    };
    const before = await commands();
    const run = a.run('answer:4') as unknown as { appends: number } & ReturnType<
      Hub<Tokens>['run']
    >;
    for (let i = 0; i < 10_000; i++) await run.publish(`t${i} `);
    await run.end();
    const used = (await commands()) - before;
    console.info(
      `runs on Redis: 10,001 events in ${run.appends} batches; ${used} Redis commands (${(used / 10_001).toFixed(2)} per event, INFO calls included)`,
    );
    expect(run.appends).toBeLessThan(10_001 / 20);
    await close();
  });
});
