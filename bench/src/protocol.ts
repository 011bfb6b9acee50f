import type { TopicsClientCommand, TopicsServerCommand } from './topics/protocol';

/** Messages between the orchestrator (main.ts) and its server and client processes (IPC). */

/** Orchestrator -> server process. */
export type ServerCommand =
  | { cmd: 'subscribers' }
  | {
      cmd: 'fanout';
      from: number;
      count: number;
      burst: number;
      window: number;
      maxMs: number;
      /** The client acknowledges every `ackEvery` events (and the last). */
      ackEvery: number;
    }
  | { cmd: 'ack'; upTo: number }
  | { cmd: 'latency'; from: number; count: number; intervalMs: number }
  | {
      cmd: 'paced';
      from: number;
      count: number;
      perSecond: number;
      maxMs: number;
      /**
       * Stamp each event with when it was due on the schedule (its arrival), so that latency
       * includes a late publisher's lag; otherwise with when it was published.
       */
      stampDue?: boolean;
    }
  | { cmd: 'memory' }
  | { cmd: 'cpu' }
  | { cmd: 'exit' }
  | TopicsServerCommand;

/** Orchestrator -> client process. */
export type ClientCommand =
  | {
      cmd: 'connect';
      port: number;
      path: string;
      count: number;
      /** Spread over source addresses 127.0.0.2, .3, ...: this many connections each. */
      perAddress?: number;
      /** Skip this many connections' worth of addresses (a second client process). */
      addressBase?: number;
    }
  | {
      cmd: 'expect';
      from: number;
      count: number;
      burst: number;
      latency: boolean;
      /**
       * Only every `sampleEvery`-th connection parses frames (order, gaps, latency); the others
       * count body bytes and must read as many as those. Default 1: every connection parses.
       */
      sampleEvery?: number;
    }
  | { cmd: 'report' }
  | { cmd: 'truncate'; end: number }
  | { cmd: 'single'; port: number; path: string; count: number }
  | { cmd: 'disconnect' }
  | { cmd: 'exit' }
  | TopicsClientCommand;

/** Server CPU and wall time of one run. */
export interface ServerRunResult {
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  timedOut: boolean;
  /** The last sequence number published (a fan-out run stops early after `maxMs`). */
  lastSeq: number;
  /** When the run started (`nowMicros()`). */
  startedAt: number;
  /** Paced runs: how late the publisher was at worst, publishing an event after it was due (ms). */
  maxLagMs?: number;
}

export interface MemoryResult {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** What the client saw of one fan-out or latency run. */
export interface DeliveryReport {
  connections: number;
  delivered: number;
  missing: number;
  outOfOrder: number;
  /** Connections that closed while the run expected events. */
  dropped: number;
  /** When the last event of the run arrived (`nowMicros()`). */
  lastAt: number;
  /** Connections that parsed every frame (the rest counted bytes). */
  sampled?: number;
  /** Latency percentiles in microseconds (latency runs only). */
  latency?: { p50: number; p99: number; max: number; samples: number };
}

export interface ConnectReport {
  ready: number;
  failed: number;
  ms: number;
}

export interface SingleReport {
  events: number;
  ms: number;
  missing: number;
  outOfOrder: number;
}

/**
 * An unsolicited message: the client saw every connection reach `upTo` (fan-out), or, in the
 * topics workload, `counts[i]` deliveries of events published by server `i`.
 */
export interface AckMessage {
  type: 'ack';
  upTo: number;
  counts?: number[];
}

/** A reply to command number `id`. */
export interface ReplyMessage {
  type: 'reply';
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** A command as sent, with the id its reply will carry. */
export type Envelope<Command> = Command & { id: number };
