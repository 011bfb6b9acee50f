import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TargetInfo } from './targets/registry';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds the @sse packages the selected targets import, so that the bench measures what users
 * install (packages/X/dist, through each package's `exports`), not the source run through tsx,
 * whose keepNames transform gives every closure a property dictionary (~250 bytes each).
 * A package that fails to build is reported; its target then fails to load and shows as n/a.
 */
export function buildPackages(targets: readonly TargetInfo[], extra: readonly string[] = []): void {
  const packages = new Set<string>(extra);
  for (const target of targets) {
    if (!target.ours) continue;
    packages.add('core');
    if (target.id === 'hub-redis') packages.add('redis');
    // The baseline is built in its own checkout (SSE_BENCH_BASELINE).
    else if (target.id !== 'core' && target.id !== 'core-before') packages.add(target.id);
  }
  const tsdown = `${ROOT}node_modules/.bin/tsdown`;
  for (const name of packages) {
    const cwd = `${ROOT}packages/${name}`;
    const started = Date.now();
    try {
      execFileSync(existsSync(tsdown) ? tsdown : 'tsdown', [], { cwd, stdio: 'pipe' });
      console.log(`built @sse/${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      const output = (error as { stderr?: Buffer }).stderr
        ?.toString()
        .trim()
        .split('\n')
        .slice(-3)
        .join(' ');
      console.log(`could not build @sse/${name}: ${output ?? String(error)}`);
    }
  }
}
