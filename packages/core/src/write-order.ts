/**
 * The one ordering rule of the library: every client sees frames in exactly the order they
 * were produced, although a channel holds the frames it publishes (for the rest of the tick,
 * or its `batchDelay`) to write them as one chunk per subscriber.
 *
 * At most one channel holds frames back at a time. Anything that writes to a stream or closes
 * it first writes what is held (`writeHeldFrames`), and a channel that starts holding frames
 * first makes the one holding before it write its own.
 *
 * The state lives on `globalThis` under a `Symbol.for` key: when both the ESM and the CJS
 * build are loaded (a CJS app with an ESM dependency), a channel of one build and a stream of
 * the other still obey the same rule.
 */

/** A channel's frames held back, written as one chunk per subscriber. */
export interface HeldFrames {
  /** Writes the held frames now (a no-op when there are none). */
  flush(): void;
}

interface WriteOrder {
  holder: HeldFrames | undefined;
}

const KEY = Symbol.for('@sse/core/write-order');
const order: WriteOrder = ((globalThis as { [KEY]?: WriteOrder })[KEY] ??= {
  holder: undefined,
});

/** `frames` starts holding frames back; whatever another channel held is written first. */
export function holdFrames(frames: HeldFrames): void {
  const holder = order.holder;
  if (holder !== undefined && holder !== frames) holder.flush();
  order.holder = frames;
}

/** Called by a holder as it writes its frames: it holds nothing any more. */
export function releaseFrames(frames: HeldFrames): void {
  if (order.holder === frames) order.holder = undefined;
}

/** Writes the frames held back, if any: call before writing to or closing a stream. */
export function writeHeldFrames(): void {
  order.holder?.flush();
}
