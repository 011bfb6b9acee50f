import { compareEventIds, SseError, type BackplaneEvent } from '@sse/core';
import { ignore, shutDown, whenReady, type RedisConnection } from './connection';
import { decodeEntries, decodeReadReply } from './entries';

const BLOCK_MS = 5_000;
const BATCH = 1_000;
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2_000;

/**
 * The live tail of one stream: a loop of `XREAD BLOCK` on a connection of its own, handing
 * every entry after its cursor to `deliver`, in stream order. When Redis goes away it reports
 * once, retries with backoff and resumes from its cursor, so no retained event is skipped.
 *
 * `armed` settles once the cursor is fixed (at the stream's position when the tail was
 * created): every entry appended since will be delivered. A history read that starts after
 * `armed` therefore overlaps the tail instead of leaving a hole between the two.
 */
export class StreamTail {
  armed: Promise<void>;
  private readonly connection: RedisConnection;
  private cursor: string | undefined;
  private running = true;
  private failures = 0;
  private readonly waiters = new Set<{ id: string; resolve: () => void }>();
  private readonly createdAt = Date.now();

  constructor(
    source: RedisConnection,
    private readonly key: string,
    private readonly deliver: (event: BackplaneEvent) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.connection = source.duplicate({ disableOfflineQueue: true });
    // Its socket errors also fail the XREAD in flight, which reports them (once per outage).
    this.connection.on('error', ignore);
    this.armed = this.arm();
    void this.run();
  }

  /**
   * Resolves once every entry up to `id` has been handed to `deliver` (or after `timeoutMs`,
   * when Redis is away): a history read up to `id` then overlaps the live events it was
   * subscribed to instead of racing them.
   */
  caughtUp(id: string, timeoutMs: number): Promise<void> {
    if (this.reached(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { id, resolve: () => done() };
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  /** Stops the loop; resolves once its connection is closed. */
  stop(): Promise<void> {
    this.running = false;
    for (const waiter of this.waiters) waiter.resolve();
    // Not graceful: that would wait for the XREAD that is blocking.
    return shutDown(this.connection, false);
  }

  private reached(id: string): boolean {
    return this.cursor !== undefined && (compareEventIds(this.cursor, id) ?? -1) >= 0;
  }

  /**
   * Fixes the cursor at the stream's position when the tail was created, not when Redis first
   * answers (a slow or unreachable Redis at start-up would otherwise drop every event appended
   * in between for the clients subscribed meanwhile). That moment is read on Redis's own clock
   * (`TIME` minus the time since), so clock skew between hosts does not matter; being early by
   * a round trip can only hand live listeners a few events from just before they listened.
   */
  private arm(): Promise<void> {
    const armed = (async () => {
      await whenReady(this.connection);
      const time = await this.connection.sendCommand(['TIME']);
      const elapsedMs = Date.now() - this.createdAt;
      const newest = decodeEntries(
        await this.connection.sendCommand(['XREVRANGE', this.key, '+', '-', 'COUNT', '1']),
      );
      const newestId = newest[0]?.id ?? '0-0';
      const createdId = `${Math.max(0, redisTimeMs(time) - elapsedMs)}-0`;
      this.cursor = (compareEventIds(createdId, newestId) ?? 0) < 0 ? createdId : newestId;
    })();
    // Awaited by history reads; a failed attempt is retried by run().
    armed.catch(() => {});
    return armed;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.cursor === undefined) {
          // A failed first attempt is retried here (after the backoff below), not after stop().
          await this.armed.catch(() => {
            if (this.running) this.armed = this.arm();
          });
          if (!this.running) return;
          await this.armed;
        }
        const reply = await this.connection.sendCommand([
          'XREAD',
          'COUNT',
          String(BATCH),
          'BLOCK',
          String(BLOCK_MS),
          'STREAMS',
          this.key,
          this.cursor!,
        ]);
        this.failures = 0;
        for (const event of decodeReadReply(reply)) {
          this.cursor = event.id;
          if (this.running) this.deliver(event);
        }
        for (const waiter of this.waiters) if (this.reached(waiter.id)) waiter.resolve();
      } catch (error) {
        if (!this.running) return;
        if (this.failures++ === 0) this.onError(error);
        await sleep(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.failures));
      }
    }
  }
}

/** Milliseconds of a `TIME` reply: `[seconds, microseconds]`. */
function redisTimeMs(reply: unknown): number {
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new SseError(
      'ERR_SSE_BACKPLANE',
      `unexpected reply from Redis to TIME: ${String(reply)}`,
    );
  }
  return Number(reply[0]) * 1000 + Math.floor(Number(reply[1]) / 1000);
}

/** A pause that does not keep the process alive (a stopped tail may still be in one). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
