import { defineConfig, type UserConfig } from 'tsdown';

/** The build of every published package: ESM + CJS with .d.mts/.d.cts, for Node 20 and up. */
export function packageConfig(entry: string[] = ['src/index.ts']): UserConfig {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'neutral',
    target: 'node20',
    sourcemap: false,
    fixedExtension: true,
  });
}
