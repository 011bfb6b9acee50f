import { expect } from 'vitest';
import type { Channel } from '@sse/core';
import type { RawSseResponse } from './raw-client';
import { waitUntil } from './wait';

/**
 * Expects every event published on `channel` to reach `client` before the next one is
 * published (nothing waits in a compressor's buffer): waits for the stream to subscribe,
 * publishes `{ n: 1 }` to `{ n: 3 }` one at a time, each awaited on the client.
 */
export async function expectEachEventAtOnce(
  client: Pick<RawSseResponse, 'events' | 'waitForEvents'>,
  channel: Channel,
): Promise<void> {
  await waitUntil(() => channel.size === 1, 'the stream is subscribed');
  for (let n = 1; n <= 3; n++) {
    await channel.publish({ n });
    await client.waitForEvents(n);
  }
  expect(client.events.map((event) => event.data)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
}

/** A finished HTTP response as supertest returns it. */
export interface AnsweredResponse {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Expects the framework's error path to have answered instead of a stream: the `status`,
 * the body `text` when given, and no `text/event-stream` content type.
 */
export function expectAnsweredWithoutStream(
  response: AnsweredResponse,
  status: number,
  text?: string,
): void {
  expect(response.status).toBe(status);
  if (text !== undefined) expect(response.text).toBe(text);
  expect(response.headers['content-type']).not.toMatch(/event-stream/);
}
