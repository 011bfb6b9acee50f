import {
  openRawSse,
  recordEventSource,
  serveNodeSse,
  waitUntil,
  type NodeSseServer,
} from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBroker } from '../brokers/memory-broker';
import { SseError } from '../errors';
import { createHub } from './hub';
import type { Hub } from './hub-types';

let server: NodeSseServer | undefined;
let hub: Hub<{ message: string; step: { n: number } }> | undefined;
afterEach(async () => {
  hub?.close();
  await server?.close();
  server = undefined;
  hub = undefined;
});

/** A hub, and a server whose every stream reads topic `answer` through `hub.topics`. */
async function serveRun(options: Parameters<typeof createHub>[0] = {}) {
  const created = createHub<{ message: string; step: { n: number } }>(options);
  hub = created;
  server = await serveNodeSse({ heartbeat: false }, (stream) => {
    created.topics('answer').subscribe(stream);
  });
  return { hub: created, url: server.url };
}

const summary = (events: { id?: string; event?: string; data: string }[]) =>
  events.map(({ event, data }) => `${event ?? 'message'}:${data}`);

describe('hub.run', () => {
  it('streams to a reader live, then ends its response after sse-end', async () => {
    const { hub, url } = await serveRun();
    const run = hub.run('answer');
    await run.publish('Hel');
    const client = await openRawSse(url);
    await client.waitForEvents(1);
    await run.publish('lo');
    await run.publish({ n: 2 }, { event: 'step' });
    const endId = await run.end({ reason: 'stop' });
    await client.ended;
    expect(summary(client.events)).toEqual([
      'message:Hel',
      'message:lo',
      'step:{"n":2}',
      'sse-end:{"reason":"stop"}',
    ]);
    expect(client.events.at(-1)!.id).toBe(endId);
  });

  it('gives a reader arriving after the end the whole run, and one resuming what came after', async () => {
    const { hub, url } = await serveRun();
    const run = hub.run('answer');
    const ids = [await run.publish('a'), await run.publish('b'), await run.publish('c')];
    await run.end();
    const late = await openRawSse(url);
    await late.ended;
    expect(summary(late.events)).toEqual(['message:a', 'message:b', 'message:c', 'sse-end:{}']);
    const resumed = await openRawSse(url, { headers: { 'Last-Event-ID': ids[1]! } });
    await resumed.ended;
    expect(summary(resumed.events)).toEqual(['message:c', 'sse-end:{}']);
  });

  it('ends readers with sse-error when the run fails, with only the message of an Error', async () => {
    const { hub, url } = await serveRun();
    const run = hub.run('answer');
    await run.publish('partial');
    const client = await openRawSse(url);
    await client.waitForEvents(1);
    await run.fail(new Error('model overloaded'));
    await client.ended;
    expect(summary(client.events)).toEqual([
      'message:partial',
      'sse-error:{"message":"model overloaded"}',
    ]);
    expect(await hub.runStatus('answer')).toBe('failed');
  });

  it('reports each status: unknown, running, ended', async () => {
    const { hub } = await serveRun();
    expect(await hub.runStatus('answer')).toBe('unknown');
    const run = hub.run('answer');
    expect(await hub.runStatus('answer')).toBe('running');
    await run.end();
    expect(await hub.runStatus('answer')).toBe('ended');
  });

  it('forgets a run and its events once its ttl has passed', async () => {
    const { hub } = await serveRun();
    const run = hub.run('answer', { ttl: 0.2 });
    await run.publish('x');
    await run.end();
    await waitUntil(async () => (await hub.runStatus('answer')) === 'unknown', 'the ttl', 2000);
  });

  it('aborts run.signal on hub.cancel, never when a reader leaves', async () => {
    const broker = memoryBroker();
    const { hub, url } = await serveRun({ broker });
    const other = createHub({ broker });
    const run = hub.run('answer');
    await run.publish('thinking');
    const client = await openRawSse(url);
    await client.waitForEvents(1);
    client.close();
    await waitUntil(() => hub.stats().subscribers === 0, 'the reader to leave');
    expect(run.signal.aborted).toBe(false);
    // Another hub on the same broker (another instance, in this process).
    await other.cancel('answer');
    expect(run.signal.aborted).toBe(true);
    await run.fail('cancelled');
    expect(await other.runStatus('answer')).toBe('failed');
    other.close();
  });

  it('rejects a second producer of the same name, publishing after the end, and reserved names', async () => {
    const { hub } = await serveRun();
    const run = hub.run('answer');
    expect(() => hub.run('answer')).toThrow(expect.objectContaining({ code: 'ERR_SSE_RUN' }));
    await expect(run.publish('x', { event: 'sse-end' as 'message' })).rejects.toBeInstanceOf(
      SseError,
    );
    await run.end();
    await expect(run.publish('late')).rejects.toMatchObject({ code: 'ERR_SSE_RUN' });
    await expect(run.end()).rejects.toMatchObject({ code: 'ERR_SSE_RUN' });
    // The name is free again once the run is over.
    await hub.run('answer').end();
  });

  it('lets an EventSource follow a run to its end; a reconnect holding the final id gets nothing more', async () => {
    const { hub, url } = await serveRun();
    const run = hub.run('answer');
    const source = recordEventSource(url, ['sse-end']);
    await source.opened;
    for (const token of ['one', 'two', 'three']) await run.publish(token);
    await run.end();
    const received = await source.waitFor(4);
    expect(received.map(({ type, data }) => `${type}:${data}`)).toEqual([
      'message:one',
      'message:two',
      'message:three',
      'sse-end:{}',
    ]);
    // This bare server opens a stream for every request (no 204 check before it opens, as the
    // adapters do): the stream of a reconnect holding the final id closes at once.
    await waitUntil(() => server!.streams.length >= 2, 'the reconnect', 5000);
    const second = await server!.streamAt(1);
    expect(second.lastEventId).toBe(received[3]!.lastEventId);
    await waitUntil(() => second.closed, 'the reconnected stream to close at once');
    source.close();
  });
});
