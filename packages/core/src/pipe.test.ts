import { openRawSse, serveNodeSse, sleep, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';

let server: NodeSseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('SseStream.pipe', () => {
  it('sends every item of an async generator, objects as JSON', async () => {
    async function* items() {
      await Promise.resolve();
      yield 'one';
      yield { two: 2 };
      yield 'three\nlines';
    }
    server = await serveNodeSse({ heartbeat: false }, async (stream) => {
      await stream.pipe(items(), { event: 'item' });
      stream.close();
    });
    const client = await openRawSse(server.url);
    await client.ended;
    expect(client.events).toEqual([
      { id: undefined, event: 'item', data: 'one' },
      { id: undefined, event: 'item', data: '{"two":2}' },
      { id: undefined, event: 'item', data: 'three\nlines' },
    ]);
  });

  it('sends every chunk of a ReadableStream', async () => {
    server = await serveNodeSse({ heartbeat: false }, async (stream) => {
      const source = new ReadableStream<string>({
        start(controller) {
          for (const chunk of ['a', 'b', 'c']) controller.enqueue(chunk);
          controller.close();
        },
      });
      await stream.pipe(source);
      await stream.send('after the pipe');
    });
    const client = await openRawSse(server.url);
    const events = await client.waitForEvents(4);
    expect(events.map((e) => e.data)).toEqual(['a', 'b', 'c', 'after the pipe']);
    client.close();
  });

  it("runs the generator's finally when the client leaves", async () => {
    let produced = 0;
    let finallyRan = false;
    let piped: Promise<void> | undefined;
    async function* ticks() {
      try {
        for (;;) {
          yield ++produced;
          await sleep(5);
        }
      } finally {
        finallyRan = true;
      }
    }
    server = await serveNodeSse({ heartbeat: false }, (stream) => {
      piped = stream.pipe(ticks());
    });
    const client = await openRawSse(server.url);
    await client.waitForEvents(3);
    client.close();
    await waitUntil(() => finallyRan, "the generator's finally");
    await piped;
    const stopped = produced;
    await sleep(30);
    expect(produced).toBe(stopped);
  });

  it('cancels the ReadableStream when the client leaves', async () => {
    let cancelled: unknown = 'not cancelled';
    let pulls = 0;
    server = await serveNodeSse({ heartbeat: false }, (stream) => {
      const source = new ReadableStream<number>({
        async pull(controller) {
          await sleep(5);
          controller.enqueue(++pulls);
        },
        cancel(reason) {
          cancelled = reason;
        },
      });
      void stream.pipe(source);
    });
    const client = await openRawSse(server.url);
    await client.waitForEvents(3);
    client.close();
    await waitUntil(() => cancelled !== 'not cancelled', 'the source to be cancelled');
  });

  it('does not start a source on a stream that is already closed', async () => {
    let started = false;
    let finallyRan = false;
    async function* source() {
      try {
        await Promise.resolve();
        started = true;
        yield 'never sent';
      } finally {
        finallyRan = true;
      }
    }
    server = await serveNodeSse({ heartbeat: false }, async (stream) => {
      stream.close();
      await stream.pipe(source());
    });
    const client = await openRawSse(server.url);
    await client.ended;
    expect(client.events).toEqual([]);
    expect(started).toBe(false);
    expect(finallyRan).toBe(false);
  });

  it('reports a failing source to onError and closes the stream with "error"', async () => {
    const errors: unknown[] = [];
    const failure = new Error('source broke');
    async function* failing() {
      await Promise.resolve();
      yield 'first';
      throw failure;
    }
    server = await serveNodeSse(
      { heartbeat: false, onError: (error) => errors.push(error) },
      (stream) => stream.pipe(failing()),
    );
    const client = await openRawSse(server.url);
    await client.ended;
    expect(client.events.map((e) => e.data)).toEqual(['first']);
    expect(errors).toEqual([failure]);
    expect((await server.streamAt(0)).reason).toBe('error');
  });

  it('stops the source when an item cannot be framed', async () => {
    let finallyRan = false;
    async function* items() {
      try {
        await Promise.resolve();
        yield 'ok';
        yield Symbol('not serializable');
        yield 'never';
      } finally {
        finallyRan = true;
      }
    }
    const errors: unknown[] = [];
    server = await serveNodeSse(
      { heartbeat: false, onError: (error) => errors.push(error) },
      (stream) => stream.pipe(items()),
    );
    const client = await openRawSse(server.url);
    await client.ended;
    expect(client.events.map((e) => e.data)).toEqual(['ok']);
    expect(errors[0]).toMatchObject({ code: 'ERR_SSE_FORMAT', field: 'data' });
    expect(finallyRan).toBe(true);
  });
});
