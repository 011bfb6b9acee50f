import { createChannel, type SseStream } from '@sse/core';
import { openRawSse, recordEventSource, waitUntil, type RecordingEventSource } from '@sse/test-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fastifySse } from './index';

type LogLine = { level: number; msg: string; err?: { code?: string; message: string } };

let app: FastifyInstance | undefined;
let source: RecordingEventSource | undefined;
let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  source?.close();
  await app?.close();
  app = source = undefined;
});

/** A listening app with the plugin, logging errors into `logs`. */
async function start(route: (instance: FastifyInstance) => void) {
  const logs: LogLine[] = [];
  const instance = Fastify({
    logger: {
      level: 'error',
      stream: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    },
  });
  app = instance;
  await instance.register(fastifySse, { heartbeat: false });
  route(instance);
  await instance.listen({ port: 0, host: '127.0.0.1' });
  const address = instance.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return { url: `http://127.0.0.1:${address.port}`, logs };
}

describe('reply.sse() not returned from an async route', () => {
  it('streams when the channel function answers at once', async () => {
    const channel = createChannel();
    const { url, logs } = await start((instance) =>
      instance.get('/events', async (_request, reply) => {
        void reply.sse({ channel: () => channel });
      }),
    );

    source = recordEventSource(`${url}/events`);
    await source.opened;
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    await channel.publish('first', { id: '1' });

    expect(await source.waitFor(1)).toEqual([{ type: 'message', data: 'first', lastEventId: '1' }]);
    expect(logs).toEqual([]);
  });

  it('streams with a channel or a handler alone', async () => {
    const channel = createChannel();
    const { url } = await start((instance) => {
      instance.get('/channel', async (_request, reply) => {
        void reply.sse({ channel });
      });
      instance.get('/handler', async (_request, reply) => {
        void reply.sse(async (stream) => {
          await stream.send('from the handler');
          stream.close();
        });
      });
    });

    const viaHandler = await openRawSse(`${url}/handler`);
    await viaHandler.ended;
    const viaChannel = await openRawSse(`${url}/channel`);
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    await channel.publish('from the channel');

    expect(viaHandler.events.map((event) => event.data)).toEqual(['from the handler']);
    expect((await viaChannel.waitForEvents(1)).map((event) => event.data)).toEqual([
      'from the channel',
    ]);
    viaChannel.close();
  });

  it('fails loudly, without ending the process, when the channel function is async', async () => {
    const channel = createChannel();
    const opened: SseStream[] = [];
    let lookups = 0;
    const { url, logs } = await start((instance) =>
      instance.get('/events', async (_request, reply) => {
        void reply.sse(
          {
            channel: async () => {
              lookups++;
              await new Promise((resolve) => setTimeout(resolve, 20));
              return channel;
            },
          },
          (stream) => void opened.push(stream),
        );
      }),
    );

    // Fastify answered the async route's `undefined` before the channel was found.
    const res = await openRawSse(`${url}/events`);
    await res.ended;
    await waitUntil(() => logs.length === 1, 'the failure is logged');

    expect(res.status).toBe(200);
    expect(res.text()).toBe('');
    expect(lookups).toBe(1);
    expect(logs[0]).toMatchObject({
      level: 50,
      msg: expect.stringContaining('return reply.sse(...)') as string,
      err: { code: 'ERR_SSE_HEADERS_SENT' },
    });
    expect(opened).toEqual([]);
    expect(channel.size).toBe(0);
    expect(unhandled).toEqual([]);
    // The server goes on serving.
    expect((await fetch(`${url}/events`)).status).toBe(200);
  });

  it('logs an error of the channel function instead of leaving an unhandled rejection', async () => {
    const { url, logs } = await start((instance) =>
      instance.get('/events', async (_request, reply) => {
        void reply.sse({
          channel: () => {
            throw Object.assign(new Error('who are you?'), { statusCode: 401 });
          },
        });
      }),
    );

    const res = await fetch(`${url}/events`);
    await res.text();
    await waitUntil(() => logs.length === 1, 'the failure is logged');

    expect(logs[0]).toMatchObject({
      level: 50,
      msg: expect.stringContaining('return reply.sse(...)') as string,
      err: { message: 'who are you?' },
    });
    expect(unhandled).toEqual([]);
  });

  it('logs nothing of its own when the route returns the failing call', async () => {
    const { url, logs } = await start((instance) =>
      instance.get('/events', async (_request, reply) =>
        reply.sse({
          channel: async () => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            throw Object.assign(new Error('who are you?'), { statusCode: 401 });
          },
        }),
      ),
    );

    const res = await fetch(`${url}/events`);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'who are you?' });
    // Fastify logs client errors (4xx) at info, below this logger's level.
    await new Promise((resolve) => setImmediate(resolve));
    expect(logs).toEqual([]);
  });
});
