/**
 * The slow-client policy of one stream: how many unsent bytes its client may hold up, and when
 * it is judged slow. A client is judged by progress, not by a snapshot: one over its budget
 * that keeps draining (a large event to a reader at a few MB/s, a burst) is never cut off;
 * one that drains nothing across `STALLED_CHECKS` checks is.
 */

/** Checks in a row without progress after which a client over its budget is slow. */
const STALLED_CHECKS = 3;
// Past this multiple of the budget (plus the largest frame queued) a client is closed at once:
// memory stays bounded even when a publisher does not await `publish`.
const HARD_LIMIT_FACTOR = 2;

export type SlowVerdict = 'slow' | 'watch' | 'clear';

export class BufferBudget {
  /** Unsent bytes at the last check while over the budget; `undefined` while within it. */
  private lastChecked: number | undefined;
  private stalledChecks = 0;
  /** The largest frame written since the client was last within its budget. */
  private largestFrame = 0;
  private waiters: (() => void)[] | undefined;

  constructor(readonly maxBytes: number) {}

  /** `true` while the client is suspected: over its budget and waiting for a verdict. */
  get watching(): boolean {
    return this.lastChecked !== undefined;
  }

  /**
   * After a write the transport could not take at once. Returns `'slow'` when the client must
   * be closed now (past the hard limit), `'watch'` when it went over its budget and needs a
   * verdict later, `'clear'` otherwise.
   */
  afterWrite(buffered: number, frameBytes: number): SlowVerdict {
    if (frameBytes > this.largestFrame) this.largestFrame = frameBytes;
    // What was queued before this frame: one large event alone never closes a client.
    const before = buffered - frameBytes;
    if (before > this.maxBytes * HARD_LIMIT_FACTOR + this.largestFrame) return 'slow';
    if (this.lastChecked !== undefined || buffered <= this.maxBytes) return 'clear';
    this.lastChecked = buffered;
    this.stalledChecks = 0;
    return 'watch';
  }

  /** The periodic check of a suspected client: `'watch'` to check it again. */
  check(buffered: number): SlowVerdict {
    const last = this.lastChecked;
    if (last === undefined) return 'clear';
    if (buffered <= this.maxBytes) {
      this.clear();
      return 'clear';
    }
    if (buffered < last) this.stalledChecks = 0;
    else if (++this.stalledChecks >= STALLED_CHECKS) return 'slow';
    this.lastChecked = buffered;
    return 'watch';
  }

  /** The transport drained some: wakes `withinBudget()` waiters once the client is within it. */
  drained(buffered: number): void {
    if (buffered > this.maxBytes) return;
    this.clear();
  }

  /** Resolves once the client is within its budget again (or `release()` is called). */
  withinBudget(): Promise<void> {
    return new Promise((resolve) => (this.waiters ??= []).push(resolve));
  }

  /** Wakes every waiter: the stream closed. */
  release(): void {
    this.lastChecked = undefined;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters) for (const wake of waiters) wake();
  }

  private clear(): void {
    this.largestFrame = 0;
    this.release();
  }
}
