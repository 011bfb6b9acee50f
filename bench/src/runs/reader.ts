/**
 * The runs reader process: `node --import tsx runs/reader.ts`. Its readers are plain HTTP
 * clients (follower.ts), apart from the servers, as in the other workloads.
 */
import { nowMicros } from '../payload';
import { RunFollower } from './follower';
import { exitSoon, serveCommands } from '../child-ipc';
import type {
  FollowReport,
  OutcomeReport,
  ReaderCommand,
  ResumeBy,
  ResumeReport,
} from './protocol';

let followers: RunFollower[] = [];
/** Tokens of the run the followers follow. */
let expected = 0;

function disconnectAll(): void {
  for (const follower of followers) follower.disconnect();
  followers = [];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A refused (re)connect is tried again at once, as a resilient client would, up to this. */
const MAX_REFUSED = 5;
/** Requests answered other than 200 since the last `follow` or `resume`. */
let refused = 0;

/** Connects, trying again while the server answers other than 200 (counted in `refused`). */
async function connectRetrying(follower: RunFollower): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const status = await follower.connect();
    if (status === 200) return;
    refused++;
    if (attempt > MAX_REFUSED) {
      throw new Error(`answered ${status} ${attempt} times in a row: ${follower.body.trim()}`);
    }
  }
}

/** Every follower's tokens against `tokens` expected (the last one's arrival time). */
function check(tokens: number, of: readonly RunFollower[]): Omit<FollowReport, 'refused'> {
  const complete = of.filter((f) => f.next === tokens && Number.isFinite(f.lastTokenAt));
  return {
    lastAt: complete.length === of.length ? Math.max(...of.map((f) => f.lastTokenAt)) : Number.NaN,
    complete: complete.length,
    missing: of.reduce((sum, f) => sum + f.missing + Math.max(0, tokens - f.next), 0),
    outOfOrder: of.reduce((sum, f) => sum + f.outOfOrder, 0),
    duplicates: of.reduce((sum, f) => sum + f.duplicates, 0),
  };
}

/** Connects `readers` readers to run `name`; resolves once each has its response's head. */
async function follow(
  port: number,
  name: string,
  readers: number,
  resumeBy: ResumeBy,
  tokens: number,
): Promise<void> {
  disconnectAll();
  refused = 0;
  expected = tokens;
  followers = Array.from(
    { length: readers },
    () => new RunFollower(port, name, resumeBy, tokens - 1),
  );
  await Promise.all(followers.map(connectRetrying));
}

/** Waits until every reader's response has ended (the run's end), then checks their tokens. */
async function collect(timeoutMs: number): Promise<FollowReport> {
  const deadline = Date.now() + timeoutMs;
  for (const follower of followers) {
    await follower.until(() => follower.endedAt !== undefined, Math.max(0, deadline - Date.now()));
  }
  const report = { ...check(expected, followers), refused };
  disconnectAll();
  return report;
}

/**
 * One reader that reads for `readMs`, leaves for `awayMs` and comes back from where it was,
 * `reconnects` times; each time, the ms from its request to the first token it had missed.
 */
async function resume(command: Extract<ReaderCommand, { cmd: 'resume' }>): Promise<ResumeReport> {
  const { port, name, resumeBy, tokens, reconnects, readMs, awayMs, timeoutMs } = command;
  disconnectAll();
  refused = 0;
  const reader = new RunFollower(port, name, resumeBy, tokens - 1);
  followers = [reader];
  const firstMissedMs: number[] = [];
  await connectRetrying(reader);
  for (let i = 0; i < reconnects; i++) {
    await sleep(readMs);
    reader.disconnect();
    await sleep(awayMs);
    const missed = reader.next;
    const sent = nowMicros();
    let at = Number.NaN;
    const got = reader.until(() => {
      if (reader.next > missed && Number.isNaN(at)) at = nowMicros();
      return reader.next > missed;
    }, timeoutMs);
    // The time counts from the first request: a refused one is part of what the reader waits.
    await connectRetrying(reader);
    if (!(await got)) throw new Error(`reconnect ${i + 1}: token ${missed} never came`);
    firstMissedMs.push((at - sent) / 1000);
  }
  await reader.until(() => reader.endedAt !== undefined, timeoutMs);
  const report = { ...check(tokens, [reader]), refused, firstMissedMs };
  disconnectAll();
  return report;
}

/** After the producer's SIGKILL at `killedAt`: what the first reader gets within `waitMs`. */
async function watch(killedAt: number, waitMs: number): Promise<OutcomeReport> {
  const reader = followers[0];
  if (!reader) throw new Error('follow a run first');
  await reader.until(() => reader.final !== undefined || reader.endedAt !== undefined, waitMs);
  const report = outcomeOf(reader, killedAt, waitMs);
  disconnectAll();
  return report;
}

/** A reader arriving after the producer died, from the run's start. */
async function late(command: Extract<ReaderCommand, { cmd: 'late' }>): Promise<OutcomeReport> {
  const reader = new RunFollower(command.port, command.name, command.resumeBy);
  followers = [reader];
  const sent = nowMicros();
  const status = await reader.connect().catch(() => 0);
  if (status === 200) {
    await reader.until(
      () => reader.final !== undefined || reader.endedAt !== undefined,
      command.waitMs,
    );
  } else {
    await reader.until(() => reader.endedAt !== undefined, command.waitMs);
  }
  const report = outcomeOf(reader, sent, command.waitMs);
  disconnectAll();
  return report;
}

function outcomeOf(reader: RunFollower, since: number, waitMs: number): OutcomeReport {
  const base = { tokens: reader.count, status: reader.status };
  const ms = (at: number) => Math.max(0, (at - since) / 1000);
  if (reader.status !== 200) {
    const at = reader.endedAt ?? nowMicros();
    return { ...base, outcome: 'http-error', afterMs: ms(at), detail: reader.body.slice(0, 100) };
  }
  if (reader.final?.event === 'sse-error') {
    return {
      ...base,
      outcome: 'sse-error',
      afterMs: ms(reader.final.at),
      detail: reader.final.data,
    };
  }
  if (reader.endedAt !== undefined) {
    const detail = reader.final ? `after ${reader.final.event}` : 'the response ended';
    return { ...base, outcome: 'ended', afterMs: ms(reader.endedAt), detail };
  }
  return {
    ...base,
    outcome: 'hang',
    afterMs: waitMs,
    detail: 'no event; the response is still open',
  };
}

serveCommands<ReaderCommand>(async (command) => {
  switch (command.cmd) {
    case 'follow':
      return follow(command.port, command.name, command.readers, command.resumeBy, command.tokens);
    case 'collect':
      return collect(command.timeoutMs);
    case 'resume':
      return resume(command);
    case 'watch':
      return watch(command.killedAt, command.waitMs);
    case 'late':
      return late(command);
    case 'disconnect':
      disconnectAll();
      return undefined;
    case 'exit':
      disconnectAll();
      exitSoon();
      return undefined;
  }
});
