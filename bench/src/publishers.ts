/** The server's publishers: fan-out with flow control, at an interval, and on a paced schedule. */
import { makeEvent, nowMicros } from './payload';
import type { ServerRunResult } from './protocol';
import type { BenchTarget } from './targets/types';

const RUN_TIMEOUT_MS = 120_000;

export function cpuAndWall(
  start: { cpu: NodeJS.CpuUsage; t: number },
  timedOut: boolean,
  lastSeq: number,
): ServerRunResult {
  const cpu = process.cpuUsage(start.cpu);
  return {
    wallMs: (nowMicros() - start.t) / 1000,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    timedOut,
    lastSeq,
    startedAt: start.t,
  };
}

/**
 * Publishes events `from`..`from+count-1` in bursts of `burst` per macrotask, never more than
 * `window` events ahead of the slowest client (the client acknowledges each completed burst).
 * Stops publishing after `maxMs` (at an acknowledgement boundary), so slow targets keep the run
 * short.
 */
export function runFanout(
  target: BenchTarget,
  from: number,
  count: number,
  burst: number,
  window: number,
  maxMs: number,
  ackEvery: number,
  setOnAck: (listener: ((upTo: number) => void) | undefined) => void,
): Promise<ServerRunResult> {
  let end = from + count - 1;
  let stopping = false;
  let next = from;
  let acked = from - 1;
  let scheduled = false;
  const start = { cpu: process.cpuUsage(), t: nowMicros() };
  return new Promise((resolve) => {
    const canPublish = () => next <= end && next - 1 - acked < window;
    const pump = () => {
      scheduled = false;
      if (!stopping && next > from && next <= end && nowMicros() - start.t > maxMs * 1000) {
        // Stop at the next acknowledged boundary: the client acknowledges every `ackEvery`.
        stopping = true;
        end = Math.min(end, from - 1 + Math.ceil((next - from) / ackEvery) * ackEvery);
      }
      if (next > end) {
        if (acked >= end) finish(false);
        return;
      }
      if (!canPublish()) return;
      const stop = Math.min(end, next + burst - 1);
      for (; next <= stop; next++) target.broadcast(makeEvent(next));
      schedule();
    };
    const schedule = () => {
      if (scheduled || !canPublish()) return;
      scheduled = true;
      setImmediate(pump);
    };
    const finish = (timedOut: boolean) => {
      clearTimeout(timer);
      setOnAck(undefined);
      resolve(cpuAndWall(start, timedOut, end));
    };
    const timer = setTimeout(() => finish(true), RUN_TIMEOUT_MS);
    setOnAck((upTo) => {
      if (upTo > acked) acked = upTo;
      if (acked >= end) finish(false);
      else schedule();
    });
    schedule();
  });
}

/** Publishes `count` events, one every `intervalMs`. */
export function runLatency(
  target: BenchTarget,
  from: number,
  count: number,
  intervalMs: number,
): Promise<ServerRunResult> {
  const start = { cpu: process.cpuUsage(), t: nowMicros() };
  let next = from;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      target.broadcast(makeEvent(next++));
      if (next >= from + count) {
        clearInterval(timer);
        resolve(cpuAndWall(start, false, next - 1));
      }
    }, intervalMs);
  });
}

/**
 * Publishes `count` events at `perSecond` on a timer schedule, one per macrotask: each timer
 * tick publishes what is due, yielding (`setImmediate`) after every event, as events arriving
 * one by one from the network would. Behind schedule, it publishes one per turn until caught up,
 * and stops at `maxMs` whatever is left (events due but not sent by then are offered, not sent).
 * With `stampDue`, each event carries the time it was due rather than the time it was published.
 */
export function runPaced(
  target: BenchTarget,
  from: number,
  count: number,
  perSecond: number,
  maxMs: number,
  stampDue: boolean,
): Promise<ServerRunResult> {
  const start = { cpu: process.cpuUsage(), t: nowMicros() };
  const end = from + count - 1;
  let next = from;
  let maxLag = 0;
  return new Promise((resolve) => {
    const step = () => {
      const now = nowMicros();
      const elapsed = now - start.t;
      const due = from + Math.floor((elapsed * perSecond) / 1e6);
      if (next > end || elapsed > maxMs * 1000) {
        // Past the deadline, a target that fell behind publishes no more: the run stays bounded.
        resolve({ ...cpuAndWall(start, next <= end, next - 1), maxLagMs: maxLag / 1000 });
      } else if (next <= due) {
        const dueAt = start.t + ((next - from) * 1e6) / perSecond;
        maxLag = Math.max(maxLag, now - dueAt);
        target.broadcast(makeEvent(next++, stampDue ? dueAt : now));
        setImmediate(step);
      } else {
        setTimeout(step, 1);
      }
    };
    step();
  });
}
