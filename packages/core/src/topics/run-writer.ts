import type { Backplane, BackplaneAppendInput } from '../backplane';
import { rejected } from '../errors';

/** How much a run holds before `publish` waits for the store. */
const MAX_PENDING_EVENTS = 512;
const MAX_PENDING_BYTES = 1024 * 1024;

const later: (run: () => void) => void =
  typeof setImmediate === 'function' ? (run) => setImmediate(run) : (run) => setTimeout(run, 0);

/**
 * A run's appends, batched: events published while an append is in flight (or within the same
 * turn of the event loop) go to the store together, in one `appendMany` when the backplane has
 * it. A producer of tokens then costs a few store round trips, not one per token, while each
 * token still reaches the store within about one round trip.
 *
 * `push` resolves once the event is accepted; it waits while `MAX_PENDING_*` is exceeded, so
 * a producer faster than the store is paced by it, and memory stays bounded.
 */
export class RunWriter {
  private pending: BackplaneAppendInput[] = [];
  private pendingBytes = 0;
  private draining: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private roomWaiters: (() => void)[] = [];
  /** Round trips to the store so far (an `appendMany` or an `append` each). */
  appends = 0;

  constructor(
    private readonly backplane: Backplane,
    private readonly ready: Promise<void>,
  ) {}

  /** Queues an event; resolves once accepted, rejects if the store failed. */
  push(input: BackplaneAppendInput): Promise<void> {
    if (this.failure) return rejected(this.failure.error);
    this.pending.push(input);
    this.pendingBytes += input.data.length;
    this.draining ??= this.drain();
    if (this.pending.length < MAX_PENDING_EVENTS && this.pendingBytes < MAX_PENDING_BYTES) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve)).then(() => {
      if (this.failure) throw this.failure.error;
    });
  }

  /** Resolves once every event pushed so far is stored; rejects if the store failed. */
  async flushed(): Promise<void> {
    while (this.draining) await this.draining;
    if (this.failure) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    await this.ready.catch((error: unknown) => this.fail(error));
    for (;;) {
      // Events published in the same turn of the event loop go in one batch: a producer that
      // awaits each publish of a store with no latency (memory) still fills batches.
      await new Promise<void>((resolve) => later(resolve));
      if (this.pending.length === 0 || this.failure) break;
      const batch = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      this.wakeWaiters();
      try {
        await this.store(batch);
      } catch (error) {
        this.fail(error);
      }
    }
    this.wakeWaiters();
    this.draining = undefined;
  }

  private async store(batch: readonly BackplaneAppendInput[]): Promise<void> {
    if (this.backplane.appendMany) {
      this.appends++;
      await this.backplane.appendMany(batch);
      return;
    }
    for (const input of batch) {
      this.appends++;
      await this.backplane.append(input);
    }
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.pending = [];
    this.pendingBytes = 0;
  }

  private wakeWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
