import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Hub } from '@sse/core';
import { sse } from '@sse/express';
import { errorAnswer } from '@sse/example-shared';
import { chatPage } from './page';
import { produceAnswer } from './produce-answer';

/** The events of an answer's run: the question once, then its tokens (`message`). */
export interface AiChatEvents {
  prompt: string;
  message: string;
}

/** The hub the answers run on (on `redisBroker`, shared by every instance). */
export type AiChatHub = Hub<AiChatEvents>;

/** Options of `createApp`. */
export interface AiChatAppOptions {
  hub: AiChatHub;
  /**
   * Milliseconds between the fake model's tokens.
   * @default 30
   */
  tokenDelayMs?: number;
  /**
   * Seconds an answer stays readable after it ends (a reload, a late second tab).
   * @default 3600
   */
  ttl?: number;
  /**
   * Milliseconds after which the answer of an instance that died is failed for its readers.
   * @default 10000
   */
  lease?: number;
  /**
   * The reconnection delay sent to browsers (`retry:`), in ms.
   * @default 1000
   */
  retry?: number;
}

const MAX_PROMPT_LENGTH = 500;
const RUN_ID = /^[\w-]{1,64}$/;

/** The run topic of answer `id`. */
export const answerTopic = (id: string): string => `answer:${id}`;

/**
 * The AI chat: `GET /` the page; `POST /chat` `{ "prompt": "…" }` starts an answer and answers
 * 202 `{ id }` at once; `GET /chat/:id/events` streams it (from its start, or after
 * `Last-Event-ID`; 204 once the client has its end); `POST /chat/:id/stop` stops it whichever
 * instance produces it; `GET /chat/:id` answers `{ status }`.
 */
export function createApp(options: AiChatAppOptions): Express {
  const { hub, tokenDelayMs = 30, ttl = 3600, lease, retry = 1000 } = options;
  const app = express();

  app.get('/', (_req, res) => {
    res.type('html').send(chatPage());
  });

  app.post('/chat', express.json({ limit: '4kb' }), (req, res) => {
    const prompt = readPrompt(req.body);
    const id = randomUUID();
    // The run outlives this request: the model goes on whether or not anyone reads it.
    void produceAnswer(hub.run(answerTopic(id), { ttl, lease }), prompt, tokenDelayMs);
    res.status(202).json({ id });
  });

  // A stream of this one topic: a run's reader is ended by its end, and a reconnect carrying
  // the final event's id gets 204, so the browser stops reconnecting.
  app.get(
    '/chat/:id/events',
    sse({ retry, channel: (req) => hub.topics(answerTopic(readRunId(req.params.id))) }),
  );

  app.post('/chat/:id/stop', async (req, res) => {
    await hub.cancel(answerTopic(readRunId(req.params.id)));
    res.sendStatus(204);
  });

  app.get('/chat/:id', async (req, res) => {
    res.json({ status: await hub.runStatus(answerTopic(readRunId(req.params.id))) });
  });

  app.use(answerErrors);
  return app;
}

function readPrompt(body: unknown): string {
  const prompt: unknown = (body as { prompt?: unknown } | undefined)?.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '' || prompt.length > MAX_PROMPT_LENGTH) {
    throw httpError(
      400,
      `"prompt" must be a non-empty string of at most ${MAX_PROMPT_LENGTH} characters`,
    );
  }
  return prompt.trim();
}

function readRunId(id: unknown): string {
  if (typeof id !== 'string' || !RUN_ID.test(id)) throw httpError(404, 'no such answer');
  return id;
}

function httpError(status: number, message: string): Error & { status: number } {
  return Object.assign(new Error(message), { status });
}

/** Errors as `{ error }` with their status (4xx), or 500 without details. */
const answerErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const { status, body } = errorAnswer(error);
  if (status === 500) console.error(error);
  res.status(status).json(body);
};
