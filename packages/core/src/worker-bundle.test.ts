import { bundleForRuntime, workspaceSources } from '@sse/test-kit';
import { describe, expect, it } from 'vitest';

// Node globals a Worker (without nodejs_compat) does not have, used bare: feature checks
// through `globalThis.Buffer` are fine.
const NODE_GLOBALS =
  /(?<![.\w$])(process\.|Buffer\b|setImmediate\b|__dirname\b|__filename\b|require\()/g;

describe('the @sse/core root entry', () => {
  it('bundles for a Worker with no Node built-in and no Node global', async () => {
    // Fails on any import of `node:*` (or a bare built-in such as `events`).
    const code = await bundleForRuntime(workspaceSources().get('@sse/core')!, {
      noNodeBuiltins: true,
    });
    expect(code).toContain('createResponse');
    expect(code.match(NODE_GLOBALS) ?? []).toEqual([]);
  });

  it('bundles with @sse/hono and Hono for a Worker with no Node built-in', async () => {
    const code = await bundleForRuntime(workspaceSources().get('@sse/hono')!, {
      noNodeBuiltins: true,
    });
    expect(code).toContain('text/event-stream');
  });
});
