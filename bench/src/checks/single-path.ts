/**
 * `tsx src/checks/single-path.ts`: what the per-turn single stream costs per event with the
 * socket taken out. Each variant sends 100,000 events to a stand-in response that counts bytes,
 * yielding a tick (`process.nextTick`) after each, as the `per-turn-single` targets do between
 * events; `turns` does only that, and its cost is taken off the others. Variants alternate, 11
 * rounds, medians of CPU µs per event: steady on a shared machine, where the socket's system call
 * (two thirds of the real server's time) and the client's reading pattern are not.
 * - `raw`: `res.write` of the frame built as the raw target builds it;
 * - `core`: `await stream.send(data, { id })` on `openNodeStream`, as the core target does;
 * - `baseline`: the same on the build of `SSE_BENCH_BASELINE` (a checkout, as `core-before`).
 * Run with TSX_TSCONFIG_PATH=tsx.tsconfig.json to measure the built packages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import * as ours from '@sse/core/node';
import { median } from '../stats';
import { makeEvent } from '../payload';
import { frameOf } from '../targets/raw';
import { CountingResponse } from './counting-response';

const EVENTS = 100_000;
const ROUNDS = 11;

const request = { httpVersionMajor: 1, headers: {}, url: '/single' } as unknown as IncomingMessage;
const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

async function turns(): Promise<void> {
  for (let seq = 1; seq <= EVENTS; seq++) {
    makeEvent(seq);
    await nextTick();
  }
}

async function raw(): Promise<void> {
  const res = new CountingResponse();
  for (let seq = 1; seq <= EVENTS; seq++) {
    res.write(frameOf(makeEvent(seq)));
    await nextTick();
  }
}

function streamed(binding: typeof ours) {
  return async (): Promise<void> => {
    const res = new CountingResponse() as unknown as ServerResponse;
    const stream = binding.openNodeStream(request, res);
    for (let seq = 1; seq <= EVENTS; seq++) {
      await stream.send(makeEvent(seq).data, { id: String(seq) });
      await nextTick();
    }
    stream.close();
  };
}

const variants: [string, () => Promise<void>][] = [
  ['turns', turns],
  ['raw', raw],
  ['core', streamed(ours)],
];
const baseline = process.env.SSE_BENCH_BASELINE;
if (baseline) {
  const url = pathToFileURL(`${baseline}/packages/core/dist/node.mjs`).href;
  variants.push(['baseline', streamed((await import(url)) as typeof ours)]);
}

const costs = new Map<string, number[]>(variants.map(([name]) => [name, []]));
for (const [, run] of variants) await run();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of variants) {
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    costs.get(name)!.push((used.user + used.system) / EVENTS);
  }
}
const turn = median(costs.get('turns')!);
for (const [name] of variants) {
  const cost = median(costs.get(name)!);
  console.log(
    `${name.padEnd(8)} ${cost.toFixed(3)} µs / event, ${(cost - turn).toFixed(3)} beyond the turn`,
  );
}
