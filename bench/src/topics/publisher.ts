import { makeEvent, nowMicros } from '../payload';
import {
  encodeSeq,
  membersOf,
  publisherOf,
  roomTopic,
  userTopic,
  type TopicsLayout,
  type TopicsRunResult,
  type TopicsServerCommand,
} from './protocol';
import type { TopicsTarget } from './targets';

const RUN_TIMEOUT_MS = 120_000;

/** Each topic's last published number, kept across the runs of one server process. */
let userSeqs = new Int32Array(0);
let roomSeqs = new Int32Array(0);

/** The topic indexes (`< count`) server `server` publishes to. */
function ownIndexes(layout: TopicsLayout, count: number, server: number): Int32Array {
  const own: number[] = [];
  for (let index = 0; index < count; index++) {
    if (publisherOf(layout, index) === server) own.push(index);
  }
  return Int32Array.from(own);
}

/** A cheap, seeded random source (xorshift32): the same topic sequence in every target. */
function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/**
 * Publishes one event per macrotask, to a random user topic or a random room (even odds),
 * among the topics this server owns, until `maxMs`; never more than `window` deliveries ahead
 * of what the client acknowledged; then waits until every delivery was acknowledged.
 */
export function runTopics(
  target: TopicsTarget,
  { layout, server, maxMs, window }: Extract<TopicsServerCommand, { cmd: 'topics-run' }>,
  setOnAck: (listener: ((upTo: number) => void) | undefined) => void,
): Promise<TopicsRunResult> {
  if (userSeqs.length !== layout.users) userSeqs = new Int32Array(layout.users);
  if (roomSeqs.length !== layout.rooms) roomSeqs = new Int32Array(layout.rooms);
  const users = ownIndexes(layout, layout.users, server);
  const rooms = ownIndexes(layout, layout.rooms, server);
  const next = random(0x9e3779b9 + server);
  const start = { cpu: process.cpuUsage(), t: nowMicros() };
  let published = 0;
  let deliveries = 0;
  let acked = 0;
  let stopped = false;
  let scheduled = false;
  return new Promise((resolve) => {
    const finish = (timedOut: boolean) => {
      clearTimeout(timer);
      setOnAck(undefined);
      const cpu = process.cpuUsage(start.cpu);
      resolve({
        published,
        deliveries,
        wallMs: (nowMicros() - start.t) / 1000,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        startedAt: start.t,
        timedOut,
        userSeqs: Array.from(userSeqs),
        roomSeqs: Array.from(roomSeqs),
      });
    };
    const publishOne = () => {
      const toRoom = rooms.length > 0 && (users.length === 0 || next() < 0.5);
      const list = toRoom ? rooms : users;
      const index = list[Math.floor(next() * list.length)]!;
      const seqs = toRoom ? roomSeqs : userSeqs;
      const n = ++seqs[index]!;
      const event = makeEvent(encodeSeq(n, toRoom));
      target.publish(toRoom ? roomTopic(index) : userTopic(index), event);
      published++;
      deliveries += toRoom ? membersOf(layout, index) : 1;
    };
    const pump = () => {
      scheduled = false;
      if (!stopped && nowMicros() - start.t > maxMs * 1000) stopped = true;
      if (stopped) {
        if (acked >= deliveries) finish(false);
        return;
      }
      if (deliveries - acked >= window) return;
      publishOne();
      schedule();
    };
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(pump);
    };
    const timer = setTimeout(() => finish(true), RUN_TIMEOUT_MS);
    setOnAck((upTo) => {
      if (upTo > acked) acked = upTo;
      schedule();
    });
    schedule();
  });
}
