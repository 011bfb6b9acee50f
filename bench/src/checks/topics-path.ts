/**
 * `tsx src/checks/topics-path.ts [map|hub] [clients]`: what the topics workload's server does
 * per delivery with the sockets taken out. Responses are stand-ins that count bytes, so the
 * CPU time and garbage collection measured are the library's own (the plain map's: writing a
 * frame to a Set of responses). Run each target in its own process and compare; CPU time is
 * steadier than wall time on a shared machine. Run it with TSX_TSCONFIG_PATH=tsx.tsconfig.json
 * to measure the built packages. `hub-room` follows the room topic alone (no cursor);
 * PUBLISHES (default 20000) and ROOM_SHARE (the share of publishes to rooms, default 0.5) vary
 * the run.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import { createHub } from '@sse/core';
import { openNodeStream } from '@sse/core/node';
import { CountingResponse } from './counting-response';

const target = process.argv[2] ?? 'hub';
const clients = Number(process.argv[3] ?? 10_000);
const rooms = 100;
const publishes = Number(process.env.PUBLISHES ?? 20_000);

const request = { httpVersionMajor: 1, headers: {}, url: '/' } as unknown as IncomingMessage;
const responses: CountingResponse[] = [];
let publish: (topic: string, data: { seq: number; pad: string }) => void;

if (target === 'map') {
  const topics = new Map<string, Set<CountingResponse>>();
  for (let i = 0; i < clients; i++) {
    const res = new CountingResponse();
    responses.push(res);
    for (const name of [`user:${i}`, `room:${i % rooms}`]) {
      let set = topics.get(name);
      if (!set) topics.set(name, (set = new Set()));
      set.add(res);
    }
  }
  let id = 0;
  publish = (topic, data) => {
    const set = topics.get(topic);
    if (!set) return;
    const frame = Buffer.from(`id: ${++id}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const res of set) res.write(frame);
  };
} else {
  const hub = createHub({ idleTimeout: 600_000 });
  for (let i = 0; i < clients; i++) {
    const res = new CountingResponse();
    responses.push(res);
    const stream = openNodeStream(request, res as unknown as ServerResponse, { heartbeat: false });
    // `hub-room`: the room topic alone, a plain subscription (no per-stream cursor).
    const names = target === 'hub-room' ? `room:${i % rooms}` : [`user:${i}`, `room:${i % rooms}`];
    hub.topics(names).subscribe(stream);
  }
  publish = (topic, data) => void hub.publish(topic, data);
  process.on('exit', () => console.log(hub.stats()));
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

/** The same topic sequence for every target: a seeded xorshift. */
let seed = 0x9e3779b9;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}

function run(count: number): Promise<void> {
  let left = count;
  return new Promise((resolve) => {
    const step = () => {
      const topic =
        random() < Number(process.env.ROOM_SHARE ?? 0.5)
          ? `room:${Math.floor(random() * rooms)}`
          : `user:${Math.floor(random() * clients)}`;
      publish(topic, { seq: left, pad: 'x'.repeat(60) });
      if (--left === 0) setImmediate(resolve);
      else setImmediate(step);
    };
    step();
  });
}

await run(publishes / 4); // warm-up
const bytesBefore = responses.reduce((sum, res) => sum + res.bytes, 0);
gcMs = 0;
const cpu = process.cpuUsage();
await run(publishes);
const used = process.cpuUsage(cpu);
const bytes = responses.reduce((sum, res) => sum + res.bytes, 0) - bytesBefore;
const deliveries = (publishes / 2) * (clients / rooms) + publishes / 2; // expected, roughly
const perK = (micros: number) => ((micros / deliveries) * 1000).toFixed(0);
console.log(
  `${target}: ${publishes} publishes, ~${deliveries} deliveries, ${bytes} bytes; ` +
    `CPU ${perK(used.user + used.system)} µs per 1k deliveries, GC ${perK(gcMs * 1000)} µs per 1k`,
);
process.exit(0);
