/**
 * The runs workload's messages. Three kinds of process per target: a producer (makes one run
 * at a time and can be SIGKILLed), a reader server (serves `GET /runs/<name>` over HTTP) and a
 * reader process (the clients). The orchestrator (workload.ts) drives them over IPC.
 */

/** Token `index`: 5-6 bytes, the size of an AI model's token; its index is in its text. */
export const token = (index: number) => ` w${String(index).padStart(3, '0')}`;

/** The index of a token, or -1 for data that is not one. */
export function tokenIndex(data: string): number {
  if (!data.startsWith(' w')) return -1;
  const index = Number(data.slice(2));
  return Number.isSafeInteger(index) ? index : -1;
}

/** Seconds a run is kept in Redis (ours) after its last write: enough for every measurement. */
export const RUN_TTL_S = 300;

/** How a reader resumes: ours by `Last-Event-ID`, resumable-stream by characters received. */
export type ResumeBy = 'last-event-id' | 'characters';

/** Orchestrator -> producer process. */
export type ProducerCommand =
  | {
      cmd: 'open';
      name: string;
      tokens: number;
      /** Tokens per second; 0: as fast as the library takes them. */
      perSecond: number;
      leaseMs?: number;
    }
  | { cmd: 'produce' }
  | { cmd: 'exit' };

/** What the producer reports once the run has ended. */
export interface ProduceResult {
  /** When the first token was handed to the library (`nowMicros()`). */
  startedAt: number;
  endedAt: number;
}

/** Orchestrator -> reader server process. */
export type RunsServerCommand = { cmd: 'exit' };

/** Orchestrator -> reader process. */
export type ReaderCommand =
  | {
      cmd: 'follow';
      port: number;
      name: string;
      readers: number;
      resumeBy: ResumeBy;
      tokens: number;
    }
  | { cmd: 'collect'; timeoutMs: number }
  | {
      cmd: 'resume';
      port: number;
      name: string;
      resumeBy: ResumeBy;
      tokens: number;
      reconnects: number;
      /** Each connection reads this long, then the reader leaves for `awayMs`. */
      readMs: number;
      awayMs: number;
      timeoutMs: number;
    }
  | { cmd: 'watch'; killedAt: number; waitMs: number }
  | { cmd: 'late'; port: number; name: string; resumeBy: ResumeBy; waitMs: number }
  | { cmd: 'disconnect' }
  | { cmd: 'exit' };

/** Every reader's tokens, checked: each reader must get 0..tokens-1 once, in order. */
export interface FollowReport {
  /** When the slowest reader got the last token (`nowMicros()`); NaN if one never did. */
  lastAt: number;
  complete: number;
  missing: number;
  outOfOrder: number;
  duplicates: number;
  /** Requests answered other than 200 (each tried again at once). */
  refused: number;
}

export interface ResumeReport extends FollowReport {
  /** Per reconnect: ms from sending the request to reading the first token missed. */
  firstMissedMs: number[];
}

/** What a reader saw after a SIGKILL of the producer (or a late reader, after it). */
export interface OutcomeReport {
  /** `sse-error` event, response ended, HTTP status other than 200, or nothing (`hang`). */
  outcome: 'sse-error' | 'ended' | 'http-error' | 'hang';
  /** ms from the kill (late: from its request) to the outcome; the wait for `hang`. */
  afterMs: number;
  /** Tokens this reader got (late: all it got; watch: the ones before the kill too). */
  tokens: number;
  status: number;
  detail: string;
}
