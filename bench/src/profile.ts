/**
 * Top self-time functions of a V8 `.cpuprofile` (from `node --cpu-prof`), idle time excluded.
 * Also runnable: `tsx src/profile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Milliseconds the thread was busy (not idle). */
  busyMs: number;
  top: ProfileEntry[];
}

/**
 * The profile of a server's main thread: its publishing windows summed when it wrote any
 * (`window-N.cpuprofile`, see window-profile.ts: the cost once every client is connected),
 * else, of the whole-process profiles in `dir`, the busiest one.
 */
export function summarizeProfileDir(dir: string, top = 15): ProfileSummary | undefined {
  const files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  const windows = files.filter((file) => file.startsWith('window-'));
  if (windows.length > 0) {
    return summarizeProfiles(
      windows.map((file) => join(dir, file)),
      top,
    );
  }
  let best: ProfileSummary | undefined;
  for (const file of files) {
    const summary = summarizeProfile(join(dir, file), top);
    if (!best || summary.busyMs > best.busyMs) best = summary;
  }
  return best;
}

/** Sums each function's self time over the whole profile (idle excluded); the top entries. */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  return summarizeProfiles([file], top);
}

/** As `summarizeProfile`, over several profiles added together. */
export function summarizeProfiles(files: readonly string[], top = 15): ProfileSummary {
  const selfMicros = new Map<string, { name: string; where: string; micros: number }>();
  let total = 0;
  for (const file of files) total += addSelfTimes(file, selfMicros);
  const entries = [...selfMicros.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top)
    .map((e) => ({
      name: e.name,
      where: e.where,
      selfMs: e.micros / 1000,
      percent: (100 * e.micros) / total,
    }));
  return { file: files.join(', '), busyMs: total / 1000, top: entries };
}

/** Adds one profile's self times per function into `selfMicros`; returns its busy µs. */
function addSelfTimes(
  file: string,
  selfMicros: Map<string, { name: string; where: string; micros: number }>,
): number {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const profiler = profilerNodes(profile.nodes);
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]!);
    const delta = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)' || profiler.has(node.id)) continue;
    total += delta;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const entry = selfMicros.get(key) ?? { name: functionName || '(anonymous)', where, micros: 0 };
    entry.micros += delta;
    selfMicros.set(key, entry);
  }
  return total;
}

/** Nodes under a `node:inspector` call: a window profile's own stop, not the server's work. */
function profilerNodes(nodes: readonly ProfileNode[]): Set<number> {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const marked = new Set<number>();
  const mark = (node: ProfileNode): void => {
    marked.add(node.id);
    for (const child of node.children ?? []) {
      const next = byId.get(child);
      if (next) mark(next);
    }
  };
  for (const node of nodes) if (node.callFrame.url === 'node:inspector') mark(node);
  return marked;
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const packages = /\/(packages\/[^/]+\/src\/[^/]+)$/.exec(path);
  if (packages?.[1]) return packages[1];
  const modules =
    /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/.*?([^/]+)$/.exec(path);
  if (modules) return `${modules[1]}/${modules[2]}`;
  return path.startsWith('node:') ? path : basename(path);
}

/** A markdown table of a summary. */
export function renderProfile(summary: ProfileSummary): string {
  const rows = summary.top.map(
    (e) => `| ${e.name} | ${e.where} | ${e.selfMs.toFixed(1)} | ${e.percent.toFixed(1)}% |`,
  );
  return ['| function | where | self ms | self % |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx src/profile.ts <file.cpuprofile> [top]');
  const summary = summarizeProfile(file, Number(process.argv[3] ?? 15));
  console.log(`busy ${summary.busyMs.toFixed(0)} ms\n\n${renderProfile(summary)}`);
}
