import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, so `test` needs no build step.
    alias: [
      { find: /^@sse\/core\/node$/, replacement: src('core/src/node.ts') },
      { find: /^@sse\/core\/adapter$/, replacement: src('core/src/adapter.ts') },
      { find: /^@sse\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@sse\/test-kit\/unit$/, replacement: src('test-kit/src/unit.ts') },
      {
        find: /^@sse\/(express|koa|hono|fastify|redis|testing|test-kit)$/,
        replacement: src('$1/src/index.ts'),
      },
      {
        find: /^@sse\/example-shared$/,
        replacement: fileURLToPath(new URL('./examples/shared/src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // A Redis for the tests that need one: 127.0.0.1:6379, else a redis-server of the run's own.
    globalSetup: ['./packages/test-kit/src/redis-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
