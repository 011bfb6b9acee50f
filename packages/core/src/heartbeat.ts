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

function tick(targets: Set<HeartbeatTarget>): void {
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

/**
 * Registers a target for heartbeats every `intervalMs` of idleness. One shared timer per
 * distinct interval serves every stream; it stops when its last stream leaves.
 * Returns the function that unregisters the target.
 */
export function scheduleHeartbeat(target: HeartbeatTarget, intervalMs: number): () => void {
  let wheel = wheels.get(intervalMs);
  if (!wheel) {
    const targets = new Set<HeartbeatTarget>();
    const timer = setInterval(
      () => tick(targets),
      Math.max(1, Math.floor(intervalMs / TICKS_PER_INTERVAL)),
    );
    // Never keep a process alive just to ping clients (unref is absent outside Node).
    (timer as { unref?: () => void }).unref?.();
    wheel = { targets, timer };
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

/** The number of live heartbeat timers (one per distinct interval in use). For tests. */
export function activeHeartbeatTimers(): number {
  return wheels.size;
}
