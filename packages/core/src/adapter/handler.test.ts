import { openRawSse, serveNodeSse, waitUntil, type NodeSseServer } from '@sse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../channel';
import { SseError } from '../errors';
import { readLastEventId } from '../last-event-id';
import { parseSseArguments } from './arguments';
import { resolveChannels } from './channels';
import { runSseHandler, type SseHandler } from './run-handler';

let server: NodeSseServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Handler = SseHandler<[string]>;
const handler: Handler = () => {};

describe('parseSseArguments', () => {
  it('accepts sse(handler), sse(options), sse(options, handler) and sse()', () => {
    expect(parseSseArguments<object, Handler>(handler, undefined)).toEqual({
      options: {},
      handler,
    });
    expect(parseSseArguments<object, Handler>({ retry: 1 }, undefined)).toEqual({
      options: { retry: 1 },
      handler: undefined,
    });
    expect(parseSseArguments<object, Handler>({ retry: 1 }, handler)).toEqual({
      options: { retry: 1 },
      handler,
    });
    expect(parseSseArguments<object, Handler>(undefined, undefined)).toEqual({
      options: {},
      handler: undefined,
    });
  });

  it.each([
    ['a handler then something else', handler, handler],
    ['a string', 'options', undefined],
    ['null', null, undefined],
    ['options then a non-function', {}, 'handler'],
  ])('rejects %s with ERR_SSE_OPTIONS', (_name, first, second) => {
    expect(() => parseSseArguments(first as never, second as never)).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_OPTIONS' }),
    );
  });
});

describe('resolveChannels', () => {
  it('resolves one channel, a list, a function (sync or async) or nothing to a list', async () => {
    const a = createChannel();
    const b = createChannel();
    expect(await resolveChannels(a, null)).toEqual([a]);
    expect(await resolveChannels([a, b], null)).toEqual([a, b]);
    expect(await resolveChannels((room: string) => (room === 'b' ? b : a), 'b')).toEqual([b]);
    expect(await resolveChannels(() => Promise.resolve([a]), null)).toEqual([a]);
    expect(await resolveChannels(() => [], null)).toEqual([]);
    expect(await resolveChannels(undefined, null)).toEqual([]);
  });

  it('answers at once, without a promise, when the channel is not a function', () => {
    const a = createChannel();
    expect(resolveChannels(a, null)).toEqual([a]);
    expect(resolveChannels(() => a, null)).toEqual([a]);
    expect(resolveChannels(() => Promise.resolve(a), null)).toBeInstanceOf(Promise);
  });

  it.each([
    ['undefined', () => undefined],
    ['null', () => null],
    ['undefined, async', () => Promise.resolve(undefined)],
  ])('reports a function finding no channel (%s) as a 404 SseError', async (_name, find) => {
    const error = await Promise.resolve()
      .then(() => resolveChannels(find, null))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SseError);
    expect(error).toMatchObject({ code: 'ERR_SSE_NO_CHANNEL', status: 404, expose: true });
  });

  it('rejects what is not a channel with ERR_SSE_OPTIONS', async () => {
    expect(() => resolveChannels({} as never, null)).toThrow(SseError);
    expect(() => resolveChannels(() => ['nope'] as never, null)).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_OPTIONS' }),
    );
    await expect(resolveChannels(() => Promise.resolve({} as never), null)).rejects.toMatchObject({
      code: 'ERR_SSE_OPTIONS',
    });
  });
});

describe('runSseHandler', () => {
  it('subscribes the stream to its channels, then runs the handler with the context', async () => {
    const channel = createChannel();
    const contexts: string[] = [];
    server = await serveNodeSse({ heartbeat: false }, (stream) => {
      runSseHandler(
        stream,
        [channel],
        (s, context: string) => {
          contexts.push(context);
          return s.send('from handler');
        },
        ['ctx'],
      );
    });
    const client = await openRawSse(server.url);
    await waitUntil(() => channel.size === 1, 'the subscription');
    await channel.publish('from channel');
    const events = await client.waitForEvents(2);
    expect(events.map((e) => e.data)).toEqual(['from handler', 'from channel']);
    expect(contexts).toEqual(['ctx']);
    client.close();
    channel.close();
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('sync failure');
      },
    ],
    ['rejects', () => Promise.reject(new Error('async failure'))],
  ])(
    'sends an error to onError and closes the stream when the handler %s',
    async (_name, failing) => {
      const errors: unknown[] = [];
      server = await serveNodeSse(
        { heartbeat: false, onError: (error) => errors.push(error) },
        (stream) => {
          runSseHandler(stream, [], failing, []);
        },
      );
      const client = await openRawSse(server.url);
      await client.ended;
      expect(errors).toHaveLength(1);
      expect((await server.streamAt(0)).reason).toBe('error');
    },
  );
});

describe('readLastEventId', () => {
  it('prefers the header, falls back to the query, and ignores empty values', () => {
    expect(readLastEventId('7', '/events?lastEventId=3')).toBe('7');
    expect(readLastEventId(['8', '9'], '/events')).toBe('8');
    expect(readLastEventId('', '/events?lastEventId=3')).toBe('3');
    expect(readLastEventId(null, '/events?x=1&lastEventId=a%20b')).toBe('a b');
    expect(readLastEventId(undefined, '/events?lastEventId=')).toBeUndefined();
    expect(readLastEventId(undefined, '/events')).toBeUndefined();
    expect(readLastEventId(undefined, undefined)).toBeUndefined();
  });
});
