import { get } from 'node:http';
import { createChannel, type SseStream } from '@sse/core';
import { openRawSse, waitUntil, type RawSseResponse } from '@sse/test-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ssePlugin } from './index';

type LogLine = { msg: string; res?: { statusCode: number }; responseTime?: number };

let app: FastifyInstance | undefined;
let clients: RawSseResponse[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await app?.close();
  app = undefined;
});

/** A fastify app that logs at `info` into `logs` and records each onResponse hook. */
async function startLogged(route: (instance: FastifyInstance) => void) {
  const logs: LogLine[] = [];
  const responses: { url: string; statusCode: number }[] = [];
  const instance = Fastify({
    logger: {
      level: 'info',
      stream: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    },
  });
  app = instance;
  await instance.register(ssePlugin, { heartbeat: false });
  instance.addHook('onResponse', async (request, reply) => {
    responses.push({ url: request.url, statusCode: reply.statusCode });
  });
  route(instance);
  await instance.listen({ port: 0, host: '127.0.0.1' });
  const address = instance.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  const completed = () => logs.filter((line) => line.msg === 'request completed');
  return { url: `http://127.0.0.1:${address.port}`, responses, completed };
}

describe('onResponse hooks and the request log of an SSE reply', () => {
  it('run when the client leaves (a tab closes), after the stream closed', async () => {
    const channel = createChannel();
    const { url, responses, completed } = await startLogged((instance) =>
      instance.get('/events', (_request, reply) => reply.sse({ channel })),
    );
    const client = await openRawSse(`${url}/events`);
    clients.push(client);
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    expect(responses).toEqual([]);

    client.close();

    await waitUntil(() => responses.length === 1, 'onResponse ran after the client left');
    expect(responses).toEqual([{ url: '/events', statusCode: 200 }]);
    expect(channel.size).toBe(0);
    await waitUntil(() => completed().length === 1, 'the request log line is written');
    expect(completed()[0]!.res).toEqual({ statusCode: 200 });
    expect(completed()[0]!.responseTime).toBeGreaterThan(0);
  });

  it('run when the client left while the channel was being resolved', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let lookups = 0;
    let socketClosed = false;
    const streams: SseStream[] = [];
    const { url, responses, completed } = await startLogged((instance) =>
      instance.get('/events', (_request, reply) => {
        reply.raw.once('close', () => (socketClosed = true));
        return reply.sse(
          {
            // A slow lookup (auth, a database...): the client leaves meanwhile.
            channel: async () => {
              lookups++;
              await gate;
              return [];
            },
          },
          (stream) => void streams.push(stream),
        );
      }),
    );
    const leaving = get(`${url}/events`);
    leaving.on('error', () => undefined);
    await waitUntil(() => lookups === 1, 'the request reaches the channel lookup');
    leaving.destroy();
    await waitUntil(() => socketClosed, 'the server sees the client leave');
    expect(responses).toEqual([]);

    release();

    await waitUntil(() => responses.length === 1, 'onResponse ran');
    expect(responses).toEqual([{ url: '/events', statusCode: 200 }]);
    expect(streams.map((stream) => stream.reason)).toEqual(['client']);
    await waitUntil(() => completed().length === 1, 'the request log line is written');
  });
});
