/**
 * The client process: opens many raw SSE connections and checks every delivery
 * (sequence numbers in order, none missing), acknowledging completed bursts for flow control.
 */
import { connect, type Socket } from 'node:net';
import { nowMicros } from './payload';
import { serveCommands } from './child-ipc';
import { single } from './client-single';
import type { ClientCommand, ConnectReport, DeliveryReport } from './protocol';
import { SseReader } from './sse-reader';
import { percentile } from './stats';
import { disconnectTopics, handleTopics } from './topics/client';
import { isTopicsCommand } from './topics/protocol';

const CONNECT_CONCURRENCY = 128;
const REPORT_TIMEOUT_MS = 120_000;

interface Expectation {
  from: number;
  end: number;
  burst: number;
  /** Connections that parse every frame: all, or every `sampleEvery`-th (the others count bytes). */
  sampled: number;
  /** Once every parsed connection has `end`: the body bytes each counting connection must read. */
  referenceBytes: number | undefined;
  /** Connections that reached each burst's last sequence number. */
  reached: Map<number, number>;
  latencies: Float64Array | undefined;
  latencyCount: number;
  /** When the latest event arrived (µs). */
  lastAt: number;
  done: () => void;
}

class Connection {
  readonly reader: SseReader;
  lastSeq = 0;
  received = 0;
  missing = 0;
  outOfOrder = 0;
  open = false;
  closed = false;
  /** When the current chunk arrived (µs), for latency. */
  chunkAt = 0;
  /** Body bytes read when the current run was expected. */
  bytesAtStart = 0;

  constructor(
    readonly socket: Socket,
    onOpen: (status: number) => void,
  ) {
    this.reader = new SseReader({
      open: onOpen,
      event: (seq, sentAt) => this.onEvent(seq, sentAt),
    });
  }

  private onEvent(seq: number, sentAt: number): void {
    const run = expectation;
    if (!run || seq < run.from) return;
    if (seq !== this.lastSeq + 1 && this.lastSeq >= run.from - 1) {
      if (seq > this.lastSeq + 1) this.missing += seq - this.lastSeq - 1;
      else this.outOfOrder++;
    }
    if (seq > this.lastSeq) this.lastSeq = seq;
    this.received++;
    run.lastAt = this.chunkAt;
    if (run.latencies && run.latencyCount < run.latencies.length) {
      run.latencies[run.latencyCount++] = this.chunkAt - sentAt;
    }
    if ((seq - run.from + 1) % run.burst === 0 || seq === run.end) {
      const count = (run.reached.get(seq) ?? 0) + 1;
      run.reached.set(seq, count);
      if (count === openParsing(run)) {
        run.reached.delete(seq);
        process.send?.({ type: 'ack', upTo: seq });
        if (seq === run.end) parsedAll(run);
      }
    }
  }
}

let connections: Connection[] = [];
let expectation: Expectation | undefined;
let finished: Promise<void> = Promise.resolve();

/** Connections open now (opened with status 200, not closed since). */
let openCount = 0;

function openConnections(): number {
  return openCount;
}

/** Open connections that parse every frame in `run`. */
function openParsing(run: Expectation): number {
  if (run.sampled === connections.length) return openConnections();
  let open = 0;
  for (const connection of connections)
    if (!connection.reader.countOnly && !connection.closed) open++;
  return open;
}

/**
 * Every parsing connection has the run's last event. With byte-counting connections, the run
 * ends once each has read as many body bytes as the parsing ones (every connection receives
 * the same broadcast frames), or at the report's timeout.
 */
function parsedAll(run: Expectation): void {
  if (run.sampled === connections.length) {
    run.done();
    return;
  }
  let reference = 0;
  for (const connection of connections) {
    if (!connection.reader.countOnly && !connection.closed) {
      reference = Math.max(reference, connection.reader.bytes - connection.bytesAtStart);
    }
  }
  run.referenceBytes = reference;
  const check = () => {
    if (expectation !== run) return;
    let last = run.lastAt;
    for (const connection of connections) {
      if (connection.closed || !connection.reader.countOnly) continue;
      if (connection.reader.bytes - connection.bytesAtStart < reference) {
        setTimeout(check, 2);
        return;
      }
      if (connection.chunkAt > last) last = connection.chunkAt;
    }
    run.lastAt = last;
    run.done();
  };
  check();
}

function openOne(
  port: number,
  path: string,
  localAddress: string | undefined,
): Promise<Connection | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const connection = new Connection(socket, (status) => {
      connection.open = status === 200;
      if (connection.open) openCount++;
      resolve(connection.open ? connection : undefined);
    });
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      connection.chunkAt = nowMicros();
      connection.reader.push(chunk);
    });
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => {
      if (connection.open && !connection.closed) openCount--;
      connection.closed = true;
      resolve(undefined);
    });
  });
}

/**
 * The source address of connection `index`: 127.0.0.2, .3, ... with `perAddress` each (the
 * kernel's port search for one address slows sharply as it fills), or the default.
 */
export function sourceAddress(index: number, perAddress: number | undefined): string | undefined {
  if (!perAddress) return undefined;
  const n = 2 + Math.floor(index / perAddress);
  return `127.0.${Math.floor(n / 256)}.${n % 256}`;
}

async function connectMany(
  port: number,
  path: string,
  count: number,
  perAddress: number | undefined,
  addressBase = 0,
): Promise<ConnectReport> {
  const started = performance.now();
  let failed = 0;
  let next = 0;
  const base = connections.length + addressBase;
  const worker = async () => {
    while (next < count) {
      const index = base + next++;
      const connection = await openOne(port, path, sourceAddress(index, perAddress));
      if (connection) connections.push(connection);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, worker));
  return { ready: connections.length, failed, ms: performance.now() - started };
}

function expect(
  from: number,
  count: number,
  burst: number,
  latency: boolean,
  sampleEvery = 1,
): void {
  let sampled = 0;
  for (const [index, connection] of connections.entries()) {
    connection.lastSeq = from - 1;
    connection.received = 0;
    connection.missing = 0;
    connection.outOfOrder = 0;
    connection.bytesAtStart = connection.reader.bytes;
    connection.reader.countOnly = index % sampleEvery !== 0;
    if (!connection.reader.countOnly) sampled++;
  }
  let done!: () => void;
  finished = new Promise((resolve) => (done = resolve));
  expectation = {
    from,
    end: from + count - 1,
    burst,
    sampled,
    referenceBytes: undefined,
    reached: new Map(),
    latencies: latency ? new Float64Array(count * sampled) : undefined,
    latencyCount: 0,
    lastAt: 0,
    done,
  };
}

/** The server stopped early at `end`: the run is done once every open connection has it. */
function truncate(end: number): void {
  const run = expectation;
  if (!run || end >= run.end) return;
  run.end = end;
  let reached = 0;
  for (const connection of connections) {
    if (!connection.closed && !connection.reader.countOnly && connection.lastSeq >= end) reached++;
  }
  run.reached.set(end, reached);
  if (reached >= openParsing(run)) parsedAll(run);
}

async function report(): Promise<DeliveryReport> {
  const run = expectation;
  if (!run) throw new Error('report before expect');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    finished,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, REPORT_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  expectation = undefined;
  const expected = run.end - run.from + 1;
  const result: DeliveryReport = {
    connections: connections.length,
    delivered: 0,
    missing: 0,
    outOfOrder: 0,
    dropped: 0,
    lastAt: run.lastAt,
  };
  // What a parsing connection received, for the byte-counting ones (the same frames, in bytes).
  let referenceEvents = 0;
  for (const connection of connections) {
    if (!connection.reader.countOnly)
      referenceEvents = Math.max(referenceEvents, connection.received);
  }
  const reference = run.referenceBytes ?? Number.NaN;
  for (const connection of connections) {
    if (connection.closed) result.dropped++;
    if (connection.reader.countOnly) {
      const bytes = connection.reader.bytes - connection.bytesAtStart;
      // Short of the reference: count what is missing pro rata (and flag it); never over.
      const share = bytes === reference ? 1 : Math.min(1, bytes / reference) || 0;
      const got = Math.floor(referenceEvents * share);
      result.delivered += got;
      result.missing += expected - got;
      connection.reader.countOnly = false;
      continue;
    }
    result.delivered += connection.received;
    result.outOfOrder += connection.outOfOrder;
    result.missing += Math.max(connection.missing, expected - connection.received);
  }
  result.sampled = run.sampled;
  if (run.latencies) {
    const samples = run.latencies.subarray(0, run.latencyCount).sort();
    result.latency = {
      p50: percentile(samples, 0.5),
      p99: percentile(samples, 0.99),
      max: samples.length ? samples[samples.length - 1]! : 0,
      samples: samples.length,
    };
  }
  return result;
}

function disconnect(): void {
  for (const connection of connections) {
    connection.closed = true;
    connection.socket.destroy();
  }
  connections = [];
  openCount = 0;
}

async function handle(command: ClientCommand): Promise<unknown> {
  if (isTopicsCommand(command)) return handleTopics(command);
  switch (command.cmd) {
    case 'connect':
      return connectMany(
        command.port,
        command.path,
        command.count,
        command.perAddress,
        command.addressBase,
      );
    case 'expect':
      expect(command.from, command.count, command.burst, command.latency, command.sampleEvery);
      return undefined;
    case 'report':
      return report();
    case 'truncate':
      truncate(command.end);
      return undefined;
    case 'single':
      return single(command.port, command.path, command.count);
    case 'disconnect':
      disconnect();
      disconnectTopics();
      return undefined;
    case 'exit':
      setImmediate(() => process.exit(0));
      return undefined;
  }
}

serveCommands<ClientCommand>(handle);
