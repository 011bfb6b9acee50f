import { sleep, useMemoryStreams, waitUntil } from '@sse/test-kit/unit';
import { describe, expect, it } from 'vitest';
import { runSseHandler } from './adapter/run-handler';

const open = useMemoryStreams();

describe('SseStream.pipe', () => {
  it('sends every item of an async generator, objects as JSON', async () => {
    async function* items() {
      await Promise.resolve();
      yield 'one';
      yield { two: 2 };
      yield 'three\nlines';
    }
    const { stream, client } = open({ heartbeat: false });
    await stream.pipe(items(), { event: 'item' });
    stream.close();
    await client.ended;
    expect(client.events).toEqual([
      { id: undefined, event: 'item', data: 'one' },
      { id: undefined, event: 'item', data: '{"two":2}' },
      { id: undefined, event: 'item', data: 'three\nlines' },
    ]);
  });

  it('sends every chunk of a ReadableStream', async () => {
    const { stream, client } = open({ heartbeat: false });
    const source = new ReadableStream<string>({
      start(controller) {
        for (const chunk of ['a', 'b', 'c']) controller.enqueue(chunk);
        controller.close();
      },
    });
    await stream.pipe(source);
    await stream.send('after the pipe');
    const events = await client.waitForEvents(4);
    expect(events.map((e) => e.data)).toEqual(['a', 'b', 'c', 'after the pipe']);
  });

  it("runs the generator's finally when the client leaves", async () => {
    let produced = 0;
    let finallyRan = false;
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
    const { stream, client } = open({ heartbeat: false });
    const piped = stream.pipe(ticks());
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
    const { stream, client } = open({ heartbeat: false });
    const source = new ReadableStream<number>({
      async pull(controller) {
        await sleep(5);
        controller.enqueue(++pulls);
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const piped = stream.pipe(source);
    await client.waitForEvents(3);
    client.close();
    await waitUntil(() => cancelled !== 'not cancelled', 'the source to be cancelled');
    await piped;
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
    const { stream, client } = open({ heartbeat: false });
    stream.close();
    await stream.pipe(source());
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
    const { stream, client } = open({ heartbeat: false, onError: (error) => errors.push(error) });
    // As every binding runs a handler: what it rejects with goes to the stream's onError.
    runSseHandler(stream, [], (opened) => opened.pipe(failing()), []);
    await client.ended;
    expect(client.events.map((e) => e.data)).toEqual(['first']);
    expect(errors).toEqual([failure]);
    expect(stream.reason).toBe('error');
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
    const { stream, client } = open({ heartbeat: false, onError: (error) => errors.push(error) });
    runSseHandler(stream, [], (opened) => opened.pipe(items()), []);
    await client.ended;
    expect(client.events.map((e) => e.data)).toEqual(['ok']);
    expect(errors[0]).toMatchObject({ code: 'ERR_SSE_FORMAT', field: 'data' });
    expect(finallyRan).toBe(true);
  });
});
