import { createClient } from 'redis';

/** Commands this bench sends itself to read the counters: not part of what is measured. */
const OWN_COMMANDS = new Set(['info', 'memory|usage', 'scan']);

/** Calls per command since the counters were read before. */
export interface CommandDelta {
  total: number;
  byCommand: Record<string, number>;
}

/**
 * Redis's own counters, read from one more connection: `INFO commandstats` (every connection,
 * commands run inside scripts included) and `MEMORY USAGE` of keys.
 */
export async function openRedisStats(url: string) {
  const client = createClient({ url });
  await client.connect();
  const calls = async (): Promise<Map<string, number>> => {
    const text = await client.info('commandstats');
    const counts = new Map<string, number>();
    for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      counts.set(match[1]!, Number(match[2]));
    }
    return counts;
  };
  const keys = async (pattern: string): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.sendCommand<[string, string[]]>([
        'SCAN',
        cursor,
        'MATCH',
        pattern,
        'COUNT',
        '1000',
      ]);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  };
  return {
    /** Starts counting; the returned function gives the calls since. */
    async count(): Promise<() => Promise<CommandDelta>> {
      const before = await calls();
      return async () => {
        const after = await calls();
        const byCommand: Record<string, number> = {};
        let total = 0;
        for (const [name, value] of after) {
          const delta = value - (before.get(name) ?? 0);
          if (delta <= 0 || OWN_COMMANDS.has(name)) continue;
          byCommand[name] = delta;
          total += delta;
        }
        return { total, byCommand };
      };
    },
    /** Bytes Redis holds for the keys matching `pattern` (`MEMORY USAGE`, every element). */
    async memoryOf(pattern: string): Promise<{ keys: number; bytes: number }> {
      const names = await keys(pattern);
      let bytes = 0;
      for (const name of names) {
        const usage = await client.sendCommand(['MEMORY', 'USAGE', name, 'SAMPLES', '0']);
        bytes += Number(usage ?? 0);
      }
      return { keys: names.length, bytes };
    },
    /** Deletes every key matching `pattern`. */
    async clean(pattern: string): Promise<number> {
      const names = await keys(pattern);
      for (let i = 0; i < names.length; i += 500) {
        await client.sendCommand(['UNLINK', ...names.slice(i, i + 500)]);
      }
      return names.length;
    },
    close: () => client.quit().then(() => undefined),
  };
}
