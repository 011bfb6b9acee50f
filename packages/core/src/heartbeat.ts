/** Something the heartbeat scheduler can ping when it has been idle. */
export interface HeartbeatTarget {
  /** Ticks since the last write, plus one: every write sets it to 0, each tick adds one. */
  idleTicks: number;
  /**
   * The wheel it is on, kept by the scheduler (`undefined` when on none): a target unregisters
   * by reference, with no closure per stream.
   */
  wheel: HeartbeatWheel | undefined;
  heartbeat(): void;
}

// A tick every quarter interval: a stream is pinged after being idle between one interval and
// one interval plus a quarter, and a write costs only a store, never a timer reset. The first
// tick after a write only notes it (0 to 1), hence one tick more than the interval's four.
const TICKS_PER_INTERVAL = 4;
const TICKS_TO_PING = TICKS_PER_INTERVAL + 1;

/** One timer and the targets it pings: shared per interval, or a stream's own (Workers). */
export class HeartbeatWheel {
  readonly targets = new Set<HeartbeatTarget>();
  readonly timer: ReturnType<typeof setInterval>;

  constructor(
    readonly intervalMs: number,
    readonly own: boolean,
  ) {
    this.timer = startTimer(intervalMs, () => tick(this.targets));
  }
}

const wheels = new Map<number, HeartbeatWheel>();
/** Timers of streams that each have their own (see `timerPerStream`). */
let ownTimers = 0;

function tick(targets: Iterable<HeartbeatTarget>): void {
  for (const target of targets) {
    if (++target.idleTicks >= TICKS_TO_PING) {
      target.idleTicks = 0;
      target.heartbeat();
    }
  }
}

function startTimer(intervalMs: number, run: () => void): ReturnType<typeof setInterval> {
  const timer = setInterval(run, Math.max(1, Math.floor(intervalMs / TICKS_PER_INTERVAL)));
  // Never keep a process alive just to ping clients (unref is absent outside Node).
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Cloudflare Workers (workerd) runs a timer in the request that set it, and cancels a request
 * whose response is still open but that has nothing pending of its own as hung ("the Worker's
 * code had hung"). A timer shared by many streams keeps only one request alive, and writes to
 * the others from the wrong request; so there every stream gets its own timer. It is also what
 * lets a Worker notice a client that left: workerd reports it only when a write fails.
 */
export function timerPerStream(): boolean {
  return globalThis.navigator?.userAgent === 'Cloudflare-Workers';
}

/**
 * Registers a target for heartbeats every `intervalMs` of idleness. One shared timer per
 * distinct interval serves every stream and stops when its last stream leaves (on Workers,
 * one timer per stream). `cancelHeartbeat` unregisters it.
 */
export function scheduleHeartbeat(target: HeartbeatTarget, intervalMs: number): void {
  if (target.wheel) return;
  let wheel: HeartbeatWheel | undefined;
  if (timerPerStream()) {
    wheel = new HeartbeatWheel(intervalMs, true);
    ownTimers++;
  } else {
    wheel = wheels.get(intervalMs);
    if (!wheel) {
      wheel = new HeartbeatWheel(intervalMs, false);
      wheels.set(intervalMs, wheel);
    }
  }
  wheel.targets.add(target);
  target.wheel = wheel;
}

/** Unregisters a target; its wheel's timer stops once it pings no one. Idempotent. */
export function cancelHeartbeat(target: HeartbeatTarget): void {
  const wheel = target.wheel;
  if (!wheel) return;
  target.wheel = undefined;
  wheel.targets.delete(target);
  if (wheel.targets.size > 0) return;
  clearInterval(wheel.timer);
  if (wheel.own) ownTimers--;
  else if (wheels.get(wheel.intervalMs) === wheel) wheels.delete(wheel.intervalMs);
}

/** The number of live heartbeat timers (one per distinct interval, or per stream on Workers). For tests. */
export function activeHeartbeatTimers(): number {
  return wheels.size + ownTimers;
}
