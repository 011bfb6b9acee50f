import { createServer } from 'node:http';
import { createChannel, createResponse } from '@sse/core';
import { sse as expressSse } from '@sse/express';
import { ssePlugin } from '@sse/fastify';
import { sse as honoSse } from '@sse/hono';
import { sse as koaSse } from '@sse/koa';
import express from 'express';
import fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, readResponseEvents, sseParser, type SseTestEvent } from './index';

type News = { headline: { title: string } };
const headline = (id: string | undefined): SseTestEvent => ({
  event: 'headline',
  data: '{"title":"hi"}',
  id,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('readEvents(...).opened: publish once the stream is subscribed', () => {
  it('Express: a channel endpoint gets an event published after opened', async () => {
    const news = createChannel<News>();
    const app = express();
    app.get('/events', expressSse({ channel: news }));

    const reading = readEvents(app, '/events', { count: 1 });
    await reading.opened;
    const id = await news.publish({ title: 'hi' }, { event: 'headline' });

    expect(await reading).toEqual([headline(id)]);
  });

  it('Koa: the same with onOpen, from a router-less app', async () => {
    const news = createChannel<News>();
    const app = new Koa();
    app.use(koaSse({ channel: news }));

    let id: string | undefined;
    const events = await readEvents(app.callback(), '/events', {
      count: 1,
      onOpen: async () => {
        id = await news.publish({ title: 'hi' }, { event: 'headline' });
      },
    });

    expect(events).toEqual([headline(id)]);
  });

  it('Fastify: reply.sse({ channel }) on a ready server', async () => {
    const news = createChannel<News>();
    const app = fastify();
    await app.register(ssePlugin);
    app.get('/events', (_request, reply) => reply.sse({ channel: news }));
    await app.ready();
    cleanups.push(() => app.close());

    const reading = readEvents(app.server, '/events', { count: 1 });
    await reading.opened;
    const id = await news.publish({ title: 'hi' }, { event: 'headline' });

    expect(await reading).toEqual([headline(id)]);
  });

  it("Hono: readResponseEvents on app.request()'s Response", async () => {
    const news = createChannel<News>();
    const app = new Hono();
    app.get('/events', honoSse({ channel: news }));

    const reading = readResponseEvents(await app.request('/events'), { count: 1 });
    await reading.opened;
    const id = await news.publish({ title: 'hi' }, { event: 'headline' });

    expect(await reading).toEqual([headline(id)]);
  });

  it('supertest: sseParser with onOpen', async () => {
    const news = createChannel<News>();
    const app = express();
    app.get('/events', expressSse({ channel: news }));

    let id: string | undefined;
    const publish = async () => {
      id = await news.publish({ title: 'hi' }, { event: 'headline' });
    };
    const res = await request(app)
      .get('/events')
      .buffer(true)
      .parse(sseParser({ count: 1, onOpen: publish }));

    expect(res.body).toEqual([headline(id)]);
  });
});

describe('opened when the read fails', () => {
  const notFound = createServer((_req, res) => {
    res.statusCode = 404;
    res.end('nope');
  });

  it('rejects with the same error as the read', async () => {
    const reading = readEvents(notFound, '/events', { count: 1 });
    await expect(reading.opened).rejects.toThrow(/got 404/);
    await expect(reading).rejects.toThrow(/got 404/);
  });

  it('leaves no unhandled rejection for callers who only await the events', async () => {
    await expect(readEvents(notFound, '/events', { count: 1 })).rejects.toThrow(/got 404/);
  });

  it('fails the read when onOpen rejects', async () => {
    const response = createResponse(new Request('http://localhost/events'), { heartbeat: false });
    await expect(
      readResponseEvents(response, {
        count: 1,
        timeoutMs: 1000,
        onOpen: () => Promise.reject(new Error('publish failed')),
      }),
    ).rejects.toThrow('publish failed');
  });
});
