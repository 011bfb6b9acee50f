import type { BenchEvent } from '../payload';

/**
 * One server under test. Every target serves two routes on 127.0.0.1:
 * - `GET /events`: subscribes the client to the fan-out (every `broadcast` reaches it);
 * - `GET /single?n=N`: sends events 1..N to this one client, awaiting backpressure.
 * Every event goes out with `id: <seq>` and the JSON payload as `data:`.
 */
export interface BenchTarget {
  /** Starts listening; resolves with the port. */
  listen(backlog: number): Promise<number>;
  /** Sends one event to every subscriber of `/events`. */
  broadcast(event: BenchEvent): void;
  /** Subscribers of `/events` right now. */
  subscribers(): number;
  close(): Promise<void>;
}

/** Reads `n` from `/single?n=N`. */
export function singleCount(url: string | undefined): number {
  const match = /[?&]n=(\d+)/.exec(url ?? '');
  return match ? Number(match[1]) : 0;
}
