import { createServer } from 'node:http';
import { createHub, type Run } from '@sse/core';
import { openNodeStream } from '@sse/core/node';
import { redisBroker } from '@sse/redis';
import { nowMicros } from '../payload';
import { closeServer, listenServer } from '../targets/listen';
import { createPacer } from './pacer';
import { RUN_TTL_S, token } from './protocol';
import { runNameOf, type RunProducer, type RunReaderServer, type RunsRedis } from './targets';

const BACKLOG = 512;

function hubOn({ url, prefix }: RunsRedis) {
  const broker = redisBroker({ url, prefix, ttl: RUN_TTL_S });
  return { broker, hub: createHub({ broker }) };
}

/** Ours: `hub.run` on `redisBroker`, each token `await run.publish(token)`, then `run.end()`. */
export function createOursProducer(redis: RunsRedis): RunProducer {
  const { broker, hub } = hubOn(redis);
  let opened: { run: Run<Record<string, unknown>>; tokens: number; perSecond: number } | undefined;
  return {
    async open(name, tokens, perSecond, leaseMs) {
      const run = hub.run(name, { ttl: RUN_TTL_S, ...(leaseMs ? { lease: leaseMs } : {}) });
      // A reader takes the topic for a run (from its first event, ended by its end) once the
      // run's state is stored: the readers connect after that.
      while ((await hub.runStatus(name)) !== 'running') {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      opened = { run, tokens, perSecond };
    },
    async produce() {
      if (!opened) throw new Error('open a run first');
      const { run, tokens, perSecond } = opened;
      const pacer = createPacer(perSecond);
      const startedAt = nowMicros();
      for (let i = 0; i < tokens; i++) {
        const due = pacer.wait(i);
        if (due) await due;
        await run.publish(token(i));
      }
      await run.end();
      return { startedAt, endedAt: nowMicros() };
    },
    async close() {
      hub.close();
      await broker.close();
    },
  };
}

/** Ours: the core binding, each `GET /runs/<name>` reading `hub.topics(name)`. */
export function createOursServer(redis: RunsRedis): RunReaderServer {
  const { broker, hub } = hubOn(redis);
  const server = createServer((req, res) => {
    const stream = openNodeStream(req, res);
    hub.topics(runNameOf(req.url)).subscribe(stream);
  });
  return {
    listen: () => listenServer(server, BACKLOG),
    async close() {
      await closeServer(server);
      hub.close();
      await broker.close();
    },
  };
}
