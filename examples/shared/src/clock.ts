import type { SseStream } from '@sse/core';

/** The data of each `tick` event on `/clock`, sent as JSON: `{ "now": "2025-01-01T00:00:00.000Z" }`. */
export interface ClockTick {
  /** The server time as an ISO 8601 string. */
  now: string;
}

/**
 * Builds the data of one `tick` event.
 *
 * @param date - The time to send. @default new Date()
 */
export function clockTick(date: Date = new Date()): ClockTick {
  return { now: date.toISOString() };
}

/** Time between two `tick` events on `/clock`. */
export const CLOCK_INTERVAL_MS = 1000;

/**
 * Sends a `tick` event now and then every `CLOCK_INTERVAL_MS` until the stream closes. Takes only
 * the stream, so it can be passed as the handler of any adapter: `sse(runClock)`.
 */
export function runClock(stream: SseStream): void {
  const tick = () => void stream.send(clockTick(), { event: 'tick' });
  tick();
  const timer = setInterval(tick, CLOCK_INTERVAL_MS);
  stream.onClose(() => clearInterval(timer));
}
