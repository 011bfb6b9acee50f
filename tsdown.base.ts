import { defineConfig, type UserConfig } from 'tsdown';

/** The build of every published package: ESM + CJS with .d.mts/.d.cts, for Node 20 and up. */
export function packageConfig(entry: string[] = ['src/index.ts']): UserConfig {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    // Neutral, not 'node': @sse/core's root entry must run on every runtime. Node built-ins
    // (imported only by Node-only entries) stay imports, never unresolved-import warnings.
    platform: 'neutral',
    deps: { neverBundle: [/^node:/] },
    target: 'node20',
    sourcemap: false,
    fixedExtension: true,
    // Plugin timings measure how busy the machine is, not anything about the build.
    checks: { pluginTimings: false },
    // A default export next to named ones (the Fastify plugin) stays `exports.default` in CJS,
    // as it already is; saying so spares the mixed-exports warning.
    outputOptions: { exports: 'named' },
  });
}
