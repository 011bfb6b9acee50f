/** A stream whose unsent bytes passed its limit and waits for the verdict. */
export interface SlowSuspect {
  /** Closes the stream as slow if its unsent bytes are still over the limit. */
  confirmSlow(): void;
}

type Later = (callback: () => void) => void;

const globals = globalThis as { setImmediate?: (callback: () => void) => unknown };
const afterTimers: Later = (callback) => void setTimeout(callback, 0);
// setImmediate runs after the event loop's I/O poll, where sockets write out what they hold.
const afterPoll: Later = globals.setImmediate
  ? (callback) => void globals.setImmediate!(callback)
  : afterTimers;

const suspects = new Set<SlowSuspect>();
let scheduled = false;

/**
 * Schedules one shared check of `suspect`, after the current tick's writes have been handed to
 * the socket and the event loop has polled I/O once: a burst published in one tick sits in the
 * socket's userland buffer until then, even for a client that reads everything at once.
 */
export function suspectSlow(suspect: SlowSuspect): void {
  suspects.add(suspect);
  if (scheduled) return;
  scheduled = true;
  afterTimers(() => afterPoll(confirmSuspects));
}

function confirmSuspects(): void {
  scheduled = false;
  const list = [...suspects];
  suspects.clear();
  for (const suspect of list) suspect.confirmSlow();
}
