import type { BackplaneEvent } from './backplane';

/**
 * Events whose id this process assigned (event-id.ts): such ids compare in publish order
 * across every channel and topic of the process, so one of them placed in another topic's
 * history marks exactly what came before and after it. A hub's stream of several in-memory
 * topics then needs no cursor: each event's own id resumes them all.
 *
 * On `globalThis` under a `Symbol.for` key, as the id generator: the ESM and CJS builds share it.
 */
const KEY = Symbol.for('@sse/core/ordered-events');
const ordered: WeakSet<BackplaneEvent> = ((globalThis as { [KEY]?: WeakSet<BackplaneEvent> })[
  KEY
] ??= new WeakSet());

/** Records that `event`'s id came from this process's generator, in publish order. */
export function markOrdered(event: BackplaneEvent): void {
  ordered.add(event);
}

/** Whether `event`'s id came from this process's generator (see `markOrdered`). */
export function isOrdered(event: BackplaneEvent): boolean {
  return ordered.has(event);
}
