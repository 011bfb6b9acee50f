/**
 * Frames a channel published in the current tick and has not written yet. They are written at
 * the end of the tick (a microtask), as one write per subscriber, instead of one write per
 * frame per subscriber.
 *
 * At most one batch is open at a time, and anything else that writes to a stream or closes it
 * writes the open batch first, so every client still sees frames in exactly the order they
 * were produced.
 */
export interface FanOutBatch {
  /** Writes the batch now (a no-op when it is empty). */
  flush(): void;
}

let open: FanOutBatch | undefined;

/** Makes `batch` the open one, writing any other open batch first. */
export function openBatch(batch: FanOutBatch): void {
  if (open !== undefined && open !== batch) open.flush();
  open = batch;
}

/** Called by a batch as it starts writing itself. */
export function closeBatch(batch: FanOutBatch): void {
  if (open === batch) open = undefined;
}

/** Writes the open batch, if any: call before writing to a stream outside of a channel. */
export function flushOpenBatch(): void {
  if (open !== undefined) open.flush();
}
