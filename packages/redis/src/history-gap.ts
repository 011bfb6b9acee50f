import { compareEventIds } from '@sse/core';

/**
 * Whether a client resuming from `lastEventId` may have missed events, from what a topic's
 * stream holds now: its oldest id (`null`: no stream) and the newest id trimmed away.
 *
 * - An id that is not a stream id Redis can take (another shape, numbers too large) is unknown.
 * - `0-0` asks for the topic from its start: a gap when events were trimmed away.
 * - A real id for a stream that is gone: its history was lost (flushed, expired, a restart
 *   without persistence).
 * - An id before the oldest kept event: events after it were trimmed away, or belonged to a
 *   history that was lost, unless it is exactly the newest id trimmed (nothing after it was).
 */
export function historyGap(
  lastEventId: string,
  known: boolean,
  trimmed: string | null,
  oldestId: string | null,
): boolean {
  if (!known) return true;
  if (lastEventId === '0-0') return trimmed !== null;
  if (oldestId === null) return true;
  return (compareEventIds(lastEventId, oldestId) ?? -1) < 0 && lastEventId !== trimmed;
}
