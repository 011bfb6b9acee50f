import {
  createChannel,
  createHub,
  createResponse,
  subscribeAll,
  type Channel,
  type CreateResponseOptions,
  type SseStream,
  type SseSubscribable,
} from '@sse/core';
import { errorStatus, isSseEnded, readLastEventId, resolveChannels } from '@sse/core/adapter';
import { sse } from '@sse/hono';
import { Hono } from 'hono';
import { runScript, type FixtureScript } from './fixture-scripts';

/** What `GET /stats` answers: the state that lives in the runtime's process. */
export interface FixtureStats {
  /** Subscribers of each channel asked for with `?channel=a,b`, in that order. */
  sizes: number[];
  /** Streams closed as slow, over the channels asked for. */
  closedSlow: number;
  /** Subscribers of each hub topic asked for with `?topic=a,b`, in that order. */
  topics: number[];
  /** Topics in memory in the hub chosen with `?hub=quick` (idleTimeout 200 ms). */
  quickHubTopics: number;
  /** The stream opened with `?tag=` (`undefined` until it opened). */
  stream?: { reason: string | undefined; aborted: boolean; lastEventId: string | undefined };
}

interface StreamRecord {
  stream: SseStream;
  reason: string | undefined;
  aborted: boolean;
  lastEventId: string | undefined;
}

const channels = new Map<string, Channel>();
const records = new Map<string, StreamRecord>();
const hub = createHub();
// Forgets a topic 200 ms after its last subscriber left: the sweep is seen within a test.
const quickHub = createHub({ idleTimeout: 200 });
const hubOf = (query: URLSearchParams) => (query.get('hub') === 'quick' ? quickHub : hub);

function channelNamed(name: string, history: string | null): Channel {
  let channel = channels.get(name);
  if (!channel) {
    channel = createChannel(history ? { history: Number(history) } : {});
    channels.set(name, channel);
  }
  return channel;
}

function channelsOf(query: URLSearchParams): Channel[] {
  const names = query.get('channel');
  if (!names) return [];
  return names.split(',').map((name) => channelNamed(name, query.get('history')));
}

/**
 * What the stream follows: `?channel=a,b` (channels) and `?topic=a,b` (the hub's topics, one
 * `Last-Event-ID` across them). Throws `SseError` (status 400) for a bad topic name.
 */
function subscribablesOf(query: URLSearchParams): SseSubscribable[] {
  const list: SseSubscribable[] = channelsOf(query);
  const topics = query.get('topic');
  if (topics !== null) list.push(hubOf(query).topics(topics.split(',')));
  return list;
}

/** Stream options from the query: `heartbeat` (ms or `false`), `retry`, `maxBufferedBytes`. */
function optionsOf(query: URLSearchParams): CreateResponseOptions {
  const options: CreateResponseOptions = {};
  const heartbeat = query.get('heartbeat');
  if (heartbeat !== null) options.heartbeat = heartbeat === 'false' ? false : Number(heartbeat);
  const retry = query.get('retry');
  if (retry !== null) options.retry = Number(retry);
  const maxBufferedBytes = query.get('maxBufferedBytes');
  if (maxBufferedBytes !== null) options.maxBufferedBytes = Number(maxBufferedBytes);
  const highWaterMark = query.get('highWaterMark');
  if (highWaterMark !== null) options.highWaterMark = Number(highWaterMark);
  return options;
}

/** Records the stream under its `?tag=` and runs its `?script=`. */
function onOpen(stream: SseStream, query: URLSearchParams): void | Promise<void> {
  const tag = query.get('tag');
  if (tag) {
    const record: StreamRecord = {
      stream,
      reason: undefined,
      aborted: false,
      lastEventId: stream.lastEventId,
    };
    records.set(tag, record);
    stream.onClose((reason) => (record.reason = reason));
    stream.signal.addEventListener('abort', () => (record.aborted = true));
  }
  const script = query.get('script') as FixtureScript | null;
  return script ? runScript(script, stream) : undefined;
}

async function publish(query: URLSearchParams, request: Request): Promise<Response> {
  const topic = query.get('topic');
  const channel = topic
    ? hubOf(query).topic(topic)
    : channelNamed(query.get('channel') ?? 'default', query.get('history'));
  const count = Number(query.get('count') ?? 1);
  const size = query.get('size');
  const text = size ? 'x'.repeat(Number(size)) : await request.text();
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    ids.push(await channel.publish(text, { event: query.get('event') ?? undefined }));
  }
  return Response.json(ids);
}

function stats(query: URLSearchParams): Response {
  const list = channelsOf(query);
  const tag = query.get('tag');
  const body: FixtureStats = {
    sizes: list.map((channel) => channel.size),
    closedSlow: list.reduce((sum, channel) => sum + channel.stats().closedSlow, 0),
    topics: (query.get('topic')?.split(',') ?? []).map((name) => hub.topic(name).size),
    quickHubTopics: quickHub.stats().topics,
  };
  const record = tag ? records.get(tag) : undefined;
  if (record) {
    const { reason, aborted, lastEventId } = record;
    body.stream = { reason, aborted, lastEventId };
  }
  return Response.json(body);
}

const hono = new Hono();
hono.get('/hono/events', (c) => {
  const query = new URL(c.req.url).searchParams;
  // A function, so that a bad topic is answered by the adapter (400) before the stream opens.
  const handler = sse({ ...optionsOf(query), channel: () => subscribablesOf(query) }, (stream) =>
    onOpen(stream, query),
  );
  return handler(c, () => Promise.resolve());
});

/** `createResponse`, with what an app adds: 400 for bad topics, 204 after a run's end. */
async function coreEvents(request: Request, query: URLSearchParams): Promise<Response> {
  let list: readonly SseSubscribable[];
  try {
    const lastEventId = readLastEventId(request.headers.get('last-event-id'), request.url);
    list = await resolveChannels(() => subscribablesOf(query), request, { lastEventId });
  } catch (error) {
    if (isSseEnded(error)) return new Response(null, { status: 204 });
    return new Response(String(error), { status: errorStatus(error) ?? 500 });
  }
  return createResponse(request, optionsOf(query), (stream) => {
    subscribeAll(stream, list);
    return onOpen(stream, query);
  });
}

/** Runs `?name=` on the hub: publishes each of `?tokens=a,b`, then ends it. */
async function produceRun(query: URLSearchParams): Promise<Response> {
  const run = hub.run(query.get('name') ?? 'run');
  const ids: string[] = [];
  for (const token of (query.get('tokens') ?? '').split(',')) ids.push(await run.publish(token));
  ids.push(await run.end({ tokens: ids.length }));
  return Response.json(ids);
}

/**
 * The app every runtime serves in the runtime tests: `GET /core/events` answers with
 * `createResponse`, `GET /hono/events` with `@sse/hono`; the channels live here, in the
 * runtime's process, so the tests publish, close and look at them over HTTP
 * (`POST /publish`, `POST /close`, `POST /end`, `GET /stats`).
 */
export async function fixtureFetch(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const query = url.searchParams;
  switch (`${request.method} ${url.pathname}`) {
    case 'GET /core/events':
      return coreEvents(request, query);
    case 'GET /hono/events':
      return hono.fetch(request);
    case 'POST /publish':
      return publish(query, request);
    case 'POST /run':
      return produceRun(query);
    case 'POST /close':
      for (const channel of channelsOf(query)) channel.close({ retry: Number(query.get('retry')) });
      return new Response(null, { status: 204 });
    case 'POST /end':
      records.get(query.get('tag') ?? '')?.stream.close();
      return new Response(null, { status: 204 });
    case 'GET /stats':
      return stats(query);
    default:
      return new Response('not found', { status: 404 });
  }
}
