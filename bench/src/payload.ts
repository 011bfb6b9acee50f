/** Microseconds on CLOCK_MONOTONIC: shared by every process of the machine, unlike performance.now(). */
export function nowMicros(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e6 + nanos / 1e3;
}

/** The payload of every benchmark event: about 100 bytes of JSON. */
export interface BenchPayload {
  seq: number;
  /** When the server published it, in `nowMicros()` units (integer). */
  t: number;
  pad: string;
}

/** One event as the server hands it to a target. */
export interface BenchEvent {
  seq: number;
  data: BenchPayload;
}

const PAD = 'x'.repeat(60);

/** Builds event `seq`, stamped with the current time or with `at` (`nowMicros()` units). */
export function makeEvent(seq: number, at = nowMicros()): BenchEvent {
  return { seq, data: { seq, t: Math.round(at), pad: PAD } };
}
