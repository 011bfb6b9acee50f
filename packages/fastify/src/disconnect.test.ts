import { get } from 'node:http';
import { connect } from 'node:http2';
import { once } from 'node:events';
import { createChannel, type SseCloseReason, type SseStream } from '@sse/core';
import { openRawSse, waitUntil, type RawSseResponse } from '@sse/test-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { fastifySse } from './index';

type LogLine = { msg: string; res?: { statusCode: number }; responseTime?: number };

let app: FastifyInstance | undefined;
let clients: RawSseResponse[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await app?.close();
  app = undefined;
});

/**
 * A fastify app that logs at `info` into `logs` and records what each hook saw: `aborts`
 * (onRequestAbort) with the reason the stream had closed with by then, `responses` (onResponse).
 */
async function startHooked(
  route: (instance: FastifyInstance, streams: SseStream[]) => void,
  { http2 = false } = {},
) {
  const logs: LogLine[] = [];
  const streams: SseStream[] = [];
  const aborts: { url: string; reasons: (SseCloseReason | undefined)[] }[] = [];
  const responses: { url: string; statusCode: number }[] = [];
  const logger = {
    level: 'info',
    stream: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  };
  const instance = (http2
    ? Fastify({ http2: true, logger })
    : Fastify({ logger })) as unknown as FastifyInstance;
  app = instance;
  await instance.register(fastifySse, { heartbeat: false });
  instance.addHook('onRequestAbort', (request, done) => {
    aborts.push({ url: request.url, reasons: streams.map((stream) => stream.reason) });
    done();
  });
  instance.addHook('onResponse', async (request, reply) => {
    responses.push({ url: request.url, statusCode: reply.statusCode });
  });
  route(instance, streams);
  await instance.listen({ port: 0, host: '127.0.0.1' });
  const address = instance.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  const completed = () => logs.filter((line) => line.msg === 'request completed');
  return { url: `http://127.0.0.1:${address.port}`, streams, aborts, responses, completed };
}

describe('fastifySse and the hooks that see a stream end', () => {
  it('runs onRequestAbort hooks when the client leaves (a tab closes), after the stream closed', async () => {
    const channel = createChannel();
    const { url, aborts, responses } = await startHooked((instance, streams) =>
      instance.get('/events', (_request, reply) =>
        reply.sse({ channel }, (stream) => void streams.push(stream)),
      ),
    );
    const client = await openRawSse(`${url}/events`);
    clients.push(client);
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    expect(aborts).toEqual([]);

    client.close();

    await waitUntil(() => aborts.length === 1, 'onRequestAbort ran after the client left');
    expect(aborts).toEqual([{ url: '/events', reasons: ['client'] }]);
    expect(channel.size).toBe(0);
    // Fastify runs onResponse for responses that finished; this one was cut off.
    expect(responses).toEqual([]);
  });

  it('runs onRequestAbort hooks when the client left while the channel was being resolved', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let lookups = 0;
    const { url, streams, aborts } = await startHooked((instance, opened) =>
      instance.get('/events', (_request, reply) =>
        reply.sse(
          {
            // A slow lookup (auth, a database...): the client leaves meanwhile.
            channel: async () => {
              lookups++;
              await gate;
              return [];
            },
          },
          (stream) => void opened.push(stream),
        ),
      ),
    );
    const leaving = get(`${url}/events`);
    leaving.on('error', () => undefined);
    await waitUntil(() => lookups === 1, 'the request reaches the channel lookup');

    leaving.destroy();

    await waitUntil(() => aborts.length === 1, 'onRequestAbort ran after the client left');
    expect(aborts).toEqual([{ url: '/events', reasons: [] }]);
    release();
    // The stream opens on a response whose client has gone: it closes at once.
    await waitUntil(() => streams[0]?.closed === true, 'the late stream closed');
    expect(streams.map((stream) => stream.reason)).toEqual(['client']);
  });

  it('runs onResponse hooks and writes the request log line when the server ends the stream', async () => {
    const { url, aborts, responses, completed } = await startHooked((instance) =>
      instance.get('/events', (_request, reply) =>
        reply.sse(async (stream) => {
          await stream.send('only one');
          stream.close();
        }),
      ),
    );

    const client = await openRawSse(`${url}/events`);
    await client.ended;

    expect(client.events.map((event) => event.data)).toEqual(['only one']);
    await waitUntil(() => responses.length === 1, 'onResponse ran');
    expect(responses).toEqual([{ url: '/events', statusCode: 200 }]);
    await waitUntil(() => completed().length === 1, 'the request log line is written');
    expect(completed()[0]!.res).toEqual({ statusCode: 200 });
    expect(aborts).toEqual([]);
  });

  it('runs onRequestAbort hooks when an HTTP/2 client resets its stream', async () => {
    const channel = createChannel();
    const { url, aborts } = await startHooked(
      (instance, streams) =>
        instance.get('/events', (_request, reply) =>
          reply.sse({ channel }, (stream) => void streams.push(stream)),
        ),
      { http2: true },
    );
    const session = connect(url);
    try {
      const request = session.request({ ':path': '/events' });
      await once(request, 'response');
      await waitUntil(() => channel.size === 1, 'the stream subscribed');

      request.close();

      await waitUntil(() => aborts.length === 1, 'onRequestAbort ran after the client left');
      expect(aborts[0]?.url).toBe('/events');
      expect(channel.size).toBe(0);
    } finally {
      session.destroy();
    }
  });
});
