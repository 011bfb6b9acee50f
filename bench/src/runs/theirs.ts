import { createServer, type ServerResponse } from 'node:http';
import { createClient } from 'redis';
import { createResumableStreamContext, type ResumableStreamContext } from 'resumable-stream';
import { nowMicros } from '../payload';
import { closeServer, listenServer } from '../targets/listen';
import { createPacer } from './pacer';
import { token } from './protocol';
import { runNameOf, type RunProducer, type RunReaderServer, type RunsRedis } from './targets';

const BACKLOG = 512;

/**
 * resumable-stream as its README sets it up: a context on a node-redis publisher and
 * subscriber (passed in, so connected here), no `waitUntil` (a long-lived server).
 */
async function contextOn({ url, prefix }: RunsRedis) {
  const publisher = createClient({ url });
  const subscriber = createClient({ url });
  await Promise.all([publisher.connect(), subscriber.connect()]);
  const context: ResumableStreamContext = createResumableStreamContext({
    waitUntil: null,
    keyPrefix: prefix,
    publisher,
    subscriber,
  });
  const close = async () => {
    await Promise.all([publisher.quit(), subscriber.quit()]).catch(() => undefined);
  };
  return { context, close };
}

/**
 * Theirs: `createNewResumableStream(name, makeStream)` in the producer, as its POST handler
 * would; the stream it returns (what the POSTing client reads, straight from memory) is read
 * here to the end. Tokens are SSE frames `data: <token>`, as AI SDKs write them.
 */
export async function createTheirsProducer(redis: RunsRedis): Promise<RunProducer> {
  const { context, close } = await contextOn(redis);
  let opened:
    { go: () => void; drained: Promise<void>; tokens: number; perSecond: number } | undefined;
  let pacer = createPacer(0);
  return {
    async open(name, tokens, perSecond) {
      let go!: () => void;
      const started = new Promise<void>((resolve) => (go = resolve));
      let next = 0;
      const makeStream = () =>
        new ReadableStream<string>({
          async pull(controller) {
            await started;
            if (next >= tokens) {
              controller.close();
              return;
            }
            const due = pacer.wait(next);
            if (due) await due;
            controller.enqueue(`data: ${token(next++)}\n\n`);
          },
        });
      const stream = await context.createNewResumableStream(name, makeStream);
      if (!stream) throw new Error(`run ${name} is already done`);
      const drained = (async () => {
        const reader = stream.getReader();
        while (!(await reader.read()).done);
      })();
      opened = { go, drained, tokens, perSecond };
    },
    async produce() {
      if (!opened) throw new Error('open a run first');
      pacer = createPacer(opened.perSecond);
      const startedAt = nowMicros();
      opened.go();
      await opened.drained;
      return { startedAt, endedAt: nowMicros() };
    },
    close,
  };
}

/**
 * Theirs: `GET /runs/<name>?resumeAt=<characters>` answers `resumeExistingStream(name,
 * resumeAt)` as its README does (404 unknown, 422 done), piped to the response.
 */
export async function createTheirsServer(redis: RunsRedis): Promise<RunReaderServer> {
  const { context, close } = await contextOn(redis);
  const server = createServer((req, res) => {
    void serve(context, req.url, res).catch(() => res.destroy());
  });
  return {
    listen: () => listenServer(server, BACKLOG),
    async close() {
      await closeServer(server);
      await close();
    },
  };
}

async function serve(
  context: ResumableStreamContext,
  url: string | undefined,
  res: ServerResponse,
): Promise<void> {
  const resumeAt = new URLSearchParams((url ?? '').split('?')[1] ?? '').get('resumeAt');
  let stream: ReadableStream<string> | null | undefined;
  try {
    stream = await context.resumeExistingStream(
      runNameOf(url),
      resumeAt ? Number.parseInt(resumeAt, 10) : undefined,
    );
  } catch (error) {
    // Unhandled in their README's route handler: the framework answers 500.
    res.writeHead(500).end(error instanceof Error ? error.message : String(error));
    return;
  }
  if (stream === undefined) return void res.writeHead(404).end('no such stream');
  if (stream === null) return void res.writeHead(422).end('Stream is already done');
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const reader = stream.getReader();
  res.on('close', () => void reader.cancel().catch(() => undefined));
  for (;;) {
    const { done, value } = await reader.read();
    if (done || res.destroyed) break;
    if (!res.write(value)) await drainedOrClosed(res);
  }
  res.end();
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      res.off('drain', settle);
      res.off('close', settle);
      resolve();
    };
    res.on('drain', settle);
    res.on('close', settle);
  });
}
