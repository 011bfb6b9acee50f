import { readFileSync } from 'node:fs';

/** Self size and count of one kind of heap object (its type and constructor or name). */
export interface HeapKind {
  kind: string;
  count: number;
  bytes: number;
}

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
  /** `[node offset, script id, line, column]` per function with a known location. */
  locations?: number[];
}

/**
 * Sums a `.heapsnapshot` by kind: `object Foo`, `closure bar`, `array`, `string`, ... Self sizes,
 * not retained ones: summed over a difference of two snapshots they add up to the heap growth.
 */
export function heapKinds(file: string): Map<string, HeapKind> {
  const data = JSON.parse(readFileSync(file, 'utf8')) as RawSnapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  // An anonymous closure is named by where its code is (script id, 0-based line and column).
  const where = new Map<number, string>();
  const locations = data.locations ?? [];
  for (let i = 0; i < locations.length; i += 4) {
    where.set(
      locations[i]!,
      `#${locations[i + 1]}:${locations[i + 2]! + 1}:${locations[i + 3]! + 1}`,
    );
  }
  const kinds = new Map<string, HeapKind>();
  for (let i = 0; i < data.nodes.length; i += stride) {
    const type = types[data.nodes[i + typeAt]!]!;
    // Strings and code are named by their content: group them by type alone.
    const named = type === 'object' || type === 'closure' || type === 'native';
    let kind = named ? `${type} ${data.strings[data.nodes[i + nameAt]!]!}` : type;
    if (type === 'closure') kind += ` ${where.get(i) ?? ''}`;
    const entry = kinds.get(kind) ?? { kind, count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += data.nodes[i + sizeAt]!;
    kinds.set(kind, entry);
  }
  return kinds;
}

/** `after - before` by kind, largest growth first. */
export function diffKinds(before: Map<string, HeapKind>, after: Map<string, HeapKind>): HeapKind[] {
  const out: HeapKind[] = [];
  for (const [kind, a] of after) {
    const b = before.get(kind);
    out.push({ kind, count: a.count - (b?.count ?? 0), bytes: a.bytes - (b?.bytes ?? 0) });
  }
  return out.sort((x, y) => y.bytes - x.bytes);
}
