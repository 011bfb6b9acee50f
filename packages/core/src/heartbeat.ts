/** Something the heartbeat scheduler can ping when it has been idle. */
export interface HeartbeatTarget {
  /** Set by every write; cleared by the scheduler on each tick. */
  wroteSinceTick: boolean;
  /** Ticks in a row without a write. */
  idleTicks: number;
  heartbeat(): void;
}

// A tick every quarter interval: a stream is pinged after being idle between one interval and
// one interval plus a quarter, and a write costs only a flag, never a timer reset.
const TICKS_PER_INTERVAL = 4;

interface Wheel {
  targets: Set<HeartbeatTarget>;
  timer: ReturnType<typeof setInterval>;
}

const wheels = new Map<number, Wheel>();
/** Timers of streams that each have their own (see `timerPerStream`). */
let ownTimers = 0;

function tick(targets: Iterable<HeartbeatTarget>): void {
  for (const target of targets) {
    if (target.wroteSinceTick) {
      target.wroteSinceTick = false;
      target.idleTicks = 0;
    } else if (++target.idleTicks >= TICKS_PER_INTERVAL) {
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
 * one timer per stream). Returns the function that unregisters the target.
 */
export function scheduleHeartbeat(target: HeartbeatTarget, intervalMs: number): () => void {
  if (timerPerStream()) {
    const single = [target];
    const timer = startTimer(intervalMs, () => tick(single));
    ownTimers++;
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      ownTimers--;
      clearInterval(timer);
    };
  }
  let wheel = wheels.get(intervalMs);
  if (!wheel) {
    const targets = new Set<HeartbeatTarget>();
    wheel = { targets, timer: startTimer(intervalMs, () => tick(targets)) };
    wheels.set(intervalMs, wheel);
  }
  const current = wheel;
  current.targets.add(target);
  return () => {
    current.targets.delete(target);
    if (current.targets.size === 0 && wheels.get(intervalMs) === current) {
      clearInterval(current.timer);
      wheels.delete(intervalMs);
    }
  };
}

/** The number of live heartbeat timers (one per distinct interval, or per stream on Workers). For tests. */
export function activeHeartbeatTimers(): number {
  return wheels.size + ownTimers;
}
