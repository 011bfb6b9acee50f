import { once } from 'node:events';
import { connect } from 'node:http2';
import { expect } from 'vitest';
import type { Channel, SseCloseReason } from '@sse/core';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { waitUntil } from './wait';

/**
 * Checks one SSE stream over cleartext HTTP/2 from open to the client leaving: GETs `url`
 * (h2c), expects a 200 `text/event-stream` head without the connection-specific headers
 * HTTP/2 forbids (`connection`, `transfer-encoding`), publishes one event on `channel` once the
 * stream subscribed and reads it, then closes the HTTP/2 stream and expects the server to
 * unsubscribe and close with reason `"client"` (`reasons` is what the handler's `onClose`
 * recorded). The session is destroyed before this resolves or rejects.
 */
export async function expectHttp2ClientLeave(
  url: string,
  channel: Channel,
  reasons: readonly SseCloseReason[],
): Promise<void> {
  const { origin, pathname } = new URL(url);
  const session = connect(origin);
  try {
    const request = session.request({ ':path': pathname });
    const [headers] = (await once(request, 'response')) as [Record<string, string | undefined>];
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => parser.feed(chunk));

    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['transfer-encoding']).toBeUndefined();
    expect(headers['connection']).toBeUndefined();
    await waitUntil(() => channel.size === 1, 'the stream subscribed');
    await channel.publish('over h2', { id: '1' });
    await waitUntil(() => events.length === 1, 'the event arrived');
    expect(events[0]).toMatchObject({ id: '1', data: 'over h2' });

    request.close();
    await waitUntil(() => channel.size === 0, 'the stream unsubscribed');
    expect(reasons).toEqual(['client']);
  } finally {
    session.destroy();
  }
}
