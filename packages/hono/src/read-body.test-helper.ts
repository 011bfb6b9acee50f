import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Reads an SSE `Response` body in place, as a test with no server does. */
export interface BodyReader {
  events: EventSourceMessage[];
  text(): string;
  /** Reads until `count` events have arrived. */
  readEvents(count: number): Promise<EventSourceMessage[]>;
  /** Reads until the body ends; resolves with the whole text. */
  readToEnd(): Promise<string>;
  /** Cancels the body, as a client that leaves. */
  cancel(): Promise<void>;
}

export function readBody(response: Response): BodyReader {
  if (!response.body) throw new Error('the response has no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const events: EventSourceMessage[] = [];
  let text = '';
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const readOnce = async (): Promise<boolean> => {
    const { done, value } = await reader.read();
    if (done) return false;
    const chunk = decoder.decode(value, { stream: true });
    text += chunk;
    parser.feed(chunk);
    return true;
  };
  return {
    events,
    text: () => text,
    async readEvents(count) {
      while (events.length < count) {
        if (!(await readOnce()))
          throw new Error(`body ended after ${events.length} events:\n${text}`);
      }
      return events.slice(0, count);
    },
    async readToEnd() {
      while (await readOnce());
      return text;
    },
    cancel: () => reader.cancel(),
  };
}
