import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { createHub, type Hub } from '@sse/core';
import { sse } from '@sse/express';
import { errorAnswer } from '@sse/example-shared';
import { httpError, requireMember, requireUser, roomsOf, USERS } from './members';
import { chatPage } from './page';

/** A message posted to a room, as `message` events of `room:<name>` carry it. */
export interface ChatMessage {
  room: string;
  from: string;
  text: string;
  at: string;
}

/** The events of the chat's topics: `room:<name>` gets messages, `user:<name>` mentions. */
export interface ChatEvents {
  message: ChatMessage;
  mention: ChatMessage;
}

/** The hub the chat publishes to. */
export type ChatHub = Hub<ChatEvents>;

const MAX_TEXT_LENGTH = 500;

/**
 * The chat app: `GET /` the page, `POST /login` `{ "user": "ada" }` (a fake login: sets the
 * `user` cookie), `GET /me`, `GET /events?room=a&room=b` (the rooms' messages and the user's
 * mentions, for members only), `POST /rooms/:room/messages` `{ "text": "hi @grace" }`.
 */
export function createApp(hub: ChatHub = createHub<ChatEvents>({ history: 500 })): Express {
  const app = express();
  app.use(express.json({ limit: '4kb' }));

  app.get('/', (_req, res) => {
    res.type('html').send(chatPage(USERS));
  });

  app.post('/login', (req, res) => {
    const user: unknown = (req.body as { user?: unknown } | undefined)?.user;
    if (typeof user !== 'string' || !USERS.includes(user)) {
      throw httpError(401, `unknown user; try one of ${USERS.join(', ')}`);
    }
    res.cookie('user', user, { httpOnly: true, sameSite: 'lax' });
    res.json({ user, rooms: roomsOf(user) });
  });

  app.post('/logout', (_req, res) => {
    res.clearCookie('user').status(204).end();
  });

  app.get('/me', (req, res) => {
    const user = requireUser(req);
    res.json({ user, rooms: roomsOf(user) });
  });

  // Authorization happens here, before the stream opens: a thrown error's status (401, 403,
  // 404, or 400 from hub.topics) is the response, and no stream opens.
  app.get(
    '/events',
    sse({
      channel: (req) => {
        const user = requireUser(req);
        const rooms = queryList(req, 'room');
        const topics = hub.topics([...rooms.map((room) => `room:${room}`), `user:${user}`]);
        for (const room of rooms) requireMember(user, room);
        return topics;
      },
    }),
  );

  app.post('/rooms/:room/messages', async (req, res) => {
    const user = requireUser(req);
    const room = String(req.params.room);
    requireMember(user, room);
    const text = readText(req.body);
    const message: ChatMessage = { room, from: user, text, at: new Date().toISOString() };
    const id = await hub.publish(`room:${room}`, message, { event: 'message' });
    const mentioned = mentionsIn(text, room).filter((name) => name !== user);
    await Promise.all(
      mentioned.map((name) => hub.publish(`user:${name}`, message, { event: 'mention' })),
    );
    res.status(201).json({ id, mentioned });
  });

  app.use(answerErrors);
  return app;
}

/** Every value of a query parameter (`?room=a&room=b`), as strings. */
function queryList(req: Request, name: string): string[] {
  return new URL(req.url, 'http://localhost').searchParams.getAll(name);
}

function readText(body: unknown): string {
  const text: unknown = (body as { text?: unknown } | undefined)?.text;
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEXT_LENGTH) {
    throw httpError(
      400,
      `"text" must be a non-empty string of at most ${MAX_TEXT_LENGTH} characters`,
    );
  }
  return text.trim();
}

/** The members of `room` named as `@name` in `text`: a mention never reaches a non-member. */
function mentionsIn(text: string, room: string): string[] {
  const named = new Set([...text.matchAll(/@(\w+)/g)].map((match) => match[1]!));
  return [...named].filter((name) => roomsOf(name).includes(room));
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
