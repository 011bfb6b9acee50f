import { compareEventIds, parseEventId } from '../event-id';

/**
 * When each topic's history expires: `ttlMs` after its last publish. Topics are kept in the
 * order of their last publish (a `Map` re-inserted on each one), so one timer for all of them
 * finds the expired ones at the front and stops at the first that is not: a sweep costs what
 * it expires, not the number of topics.
 */
export class TopicExpiry {
  private readonly lastPublish = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  // The newest publish whose history expired: ids after it lost nothing to expiry.
  private newestExpiredMs = -Infinity;

  constructor(
    private readonly ttlMs: number,
    private readonly onExpire: (name: string) => void,
  ) {}

  /** Records a publish to `name` now. */
  touch(name: string): void {
    this.lastPublish.delete(name);
    this.lastPublish.set(name, Date.now());
    if (!this.timer) {
      // A quarter of the ttl: a history outlives its ttl by at most that much.
      const every = Math.max(10, Math.min(1000, this.ttlMs / 4));
      this.timer = setInterval(() => this.sweep(), every);
      // Expiry never keeps a process alive.
      this.timer.unref?.();
    }
  }

  /**
   * Whether events after `id` may have been in a history that expired: `id` is not after the
   * newest expired publish, and it is before `since` (when the topic's present history began;
   * `undefined` for a topic with none).
   */
  mayHaveExpired(id: string, since: string | undefined): boolean {
    const parsed = parseEventId(id);
    if (!parsed || parsed.ms > this.newestExpiredMs) return false;
    return since === undefined || (compareEventIds(id, since) ?? 0) < 0;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.lastPublish.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [name, at] of this.lastPublish) {
      if (now - at < this.ttlMs) break;
      this.lastPublish.delete(name);
      this.newestExpiredMs = Math.max(this.newestExpiredMs, at);
      this.onExpire(name);
    }
    if (this.lastPublish.size === 0) this.stop();
  }
}
