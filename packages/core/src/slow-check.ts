/** A stream whose unsent bytes passed its limit and waits for the verdict. */
export interface SlowSuspect {
  /**
   * Closes the stream as slow if its unsent bytes are still over the limit and did not go
   * down since it was suspected; returns `true` to be checked again (over, but draining).
   */
  confirmSlow(): boolean;
}

/**
 * How long a client over its limit has to show that it drains. Long enough for a burst to reach
 * a client that reads (even over a real network, where the socket waits for acknowledgements),
 * short enough that a stalled client is cut off before it holds much more.
 */
export const SLOW_CHECK_MS = 100;

const suspects = new Set<SlowSuspect>();
let timer: ReturnType<typeof setTimeout> | undefined;

/** Queues `suspect` for the next shared check; one timer serves every stream. */
export function suspectSlow(suspect: SlowSuspect): void {
  suspects.add(suspect);
  if (timer === undefined) {
    timer = setTimeout(confirmSuspects, SLOW_CHECK_MS);
    (timer as { unref?: () => void }).unref?.();
  }
}

function confirmSuspects(): void {
  timer = undefined;
  const list = [...suspects];
  suspects.clear();
  for (const suspect of list) {
    if (suspect.confirmSlow()) suspectSlow(suspect);
  }
}
