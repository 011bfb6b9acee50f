import { connect, type Socket } from 'node:net';
import { nowMicros } from '../payload';
import { SseReader } from '../sse-reader';
import { percentile } from '../stats';
import {
  publisherOf,
  roomOf,
  roomTopic,
  serverOfClient,
  userTopic,
  type TopicsClientCommand,
  type TopicsDeliveryReport,
  type TopicsLayout,
} from './protocol';

const CONNECT_CONCURRENCY = 128;
const ACK_INTERVAL_MS = 2;
const REPORT_TIMEOUT_MS = 60_000;
const LATENCY_SAMPLES = 2_000_000;

/** One client: its user topic and room, checked separately (each topic numbers its events). */
class TopicsConnection {
  lastUser = 0;
  lastRoom = 0;
  closed = false;
  chunkAt = 0;
  readonly reader: SseReader;

  constructor(
    readonly socket: Socket,
    readonly user: number,
    readonly server: number,
    onOpen: (status: number) => void,
  ) {
    this.reader = new SseReader({ open: onOpen, event: (seq, t) => onEvent(this, seq, t) });
  }
}

let layout: TopicsLayout = { users: 0, rooms: 1, servers: 1 };
let connections: TopicsConnection[] = [];
let counts: number[] = [];
let missing = 0;
let outOfOrder = 0;
let warmup = false;
let lastAt = 0;
let latencies = new Float64Array(LATENCY_SAMPLES);
let latencyCount = 0;
let seen = 0;
let ackTimer: NodeJS.Timeout | undefined;
let sentCounts = '';

function onEvent(connection: TopicsConnection, seq: number, sentAt: number): void {
  const room = (seq & 1) === 1;
  const n = seq >>> 1;
  const last = room ? connection.lastRoom : connection.lastUser;
  // In the warm-up, a stream may join a topic after its first events: start where it joined.
  if (n !== last + 1 && !(warmup && last === 0)) {
    if (n > last + 1) missing += n - last - 1;
    else outOfOrder++;
  }
  if (room) connection.lastRoom = Math.max(last, n);
  else connection.lastUser = Math.max(last, n);
  const index = room ? roomOf(layout, connection.user) : connection.user;
  const publisher = publisherOf(layout, index);
  counts[publisher]!++;
  lastAt = connection.chunkAt;
  if (layout.servers > 1 && publisher === connection.server) return;
  // Reservoir sampling: every delivery equally likely to be kept.
  seen++;
  const slot = seen <= LATENCY_SAMPLES ? seen - 1 : Math.floor(Math.random() * seen);
  if (slot < LATENCY_SAMPLES) latencies[slot] = connection.chunkAt - sentAt;
  latencyCount = Math.min(seen, LATENCY_SAMPLES);
}

function openOne(port: number, user: number, server: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const connection = new TopicsConnection(socket, user, server, (status) => {
      if (status === 200) connections.push(connection);
      resolve(status === 200);
    });
    const path = `/topics?user=${userTopic(user)}&room=${roomTopic(roomOf(layout, user))}`;
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`),
    );
    socket.on('data', (chunk: Buffer) => {
      connection.chunkAt = nowMicros();
      connection.reader.push(chunk);
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => {
      connection.closed = true;
      resolve(false);
    });
  });
}

async function connectAll(ports: number[], next: TopicsLayout): Promise<{ failed: number }> {
  disconnectTopics();
  layout = next;
  counts = Array.from({ length: layout.servers }, () => 0);
  let user = 0;
  let failed = 0;
  const worker = async () => {
    while (user < layout.users) {
      const index = user++;
      const server = serverOfClient(layout, index);
      if (!(await openOne(ports[server]!, index, server))) failed++;
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return { failed };
}

/** Starts a run: counters from zero, acknowledgements every few ms while anything changed. */
function expectRun(isWarmup: boolean): void {
  warmup = isWarmup;
  counts = counts.map(() => 0);
  missing = outOfOrder = latencyCount = seen = lastAt = 0;
  sentCounts = '';
  clearInterval(ackTimer);
  ackTimer = setInterval(() => {
    const now = counts.join(',');
    if (now === sentCounts) return;
    sentCounts = now;
    process.send?.({ type: 'ack', upTo: 0, counts });
  }, ACK_INTERVAL_MS);
}

/** Waits until every connection has both topics' last events (or the timeout), then reports. */
async function report(userSeqs: number[], roomSeqs: number[]): Promise<TopicsDeliveryReport> {
  const behind = () =>
    connections.some(
      (c) =>
        !c.closed &&
        (c.lastUser < userSeqs[c.user]! || c.lastRoom < roomSeqs[roomOf(layout, c.user)]!),
    );
  const deadline = Date.now() + REPORT_TIMEOUT_MS;
  while (behind() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  clearInterval(ackTimer);
  let left = 0;
  for (const c of connections) {
    left += Math.max(0, userSeqs[c.user]! - c.lastUser);
    left += Math.max(0, roomSeqs[roomOf(layout, c.user)]! - c.lastRoom);
  }
  const samples = latencies.subarray(0, latencyCount).sort();
  return {
    delivered: counts.reduce((sum, n) => sum + n, 0),
    missing: missing + left,
    outOfOrder,
    dropped: connections.filter((c) => c.closed).length,
    lastAt,
    latency: {
      p50: percentile(samples, 0.5),
      p99: percentile(samples, 0.99),
      max: samples.length ? samples[samples.length - 1]! : 0,
      samples: samples.length,
    },
  };
}

export function disconnectTopics(): void {
  clearInterval(ackTimer);
  for (const connection of connections) {
    connection.closed = true;
    connection.socket.destroy();
  }
  connections = [];
  latencies = new Float64Array(LATENCY_SAMPLES);
}

export async function handleTopics(command: TopicsClientCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'topics-connect':
      return connectAll(command.ports, command.layout);
    case 'topics-expect':
      expectRun(command.warmup);
      return undefined;
    case 'topics-report':
      return report(command.userSeqs, command.roomSeqs);
  }
}
