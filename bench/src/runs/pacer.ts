import { performance } from 'node:perf_hooks';

/**
 * Paces a producer at `perSecond` tokens (0: no pacing). `wait(i)` resolves once token `i` is
 * due; tokens already due go at once, so a late timer is caught up on instead of slowing the run.
 */
export function createPacer(perSecond: number): { wait(index: number): Promise<void> | undefined } {
  const start = performance.now();
  return {
    wait(index) {
      if (perSecond <= 0) return undefined;
      const late = start + (index * 1000) / perSecond - performance.now();
      return late > 0
        ? new Promise((resolve) => setTimeout(resolve, Math.max(1, late)))
        : undefined;
    },
  };
}
