import { bundleForRuntime, workspaceSources } from '@sse/test-kit';
import { describe, expect, it } from 'vitest';

// Node globals a Worker (without nodejs_compat) does not have, used bare. Reading them through
// `globalThis.Buffer`, or behind a `typeof setImmediate` check, is fine.
const NODE_GLOBALS =
  /(?<![.\w$])(process(?=\.)|Buffer\b|setImmediate\b|__dirname\b|__filename\b|require(?=\())/g;

/** The Node globals `code` uses without checking first that the runtime has them. */
function unguardedNodeGlobals(code: string): string[] {
  const used = new Set(code.match(NODE_GLOBALS) ?? []);
  return [...used].filter((name) => !code.includes(`typeof ${name}`));
}

describe('the @sse/core root entry', () => {
  it('bundles for a Worker with no Node built-in and no Node global', async () => {
    // Fails on any import of `node:*` (or a bare built-in such as `events`).
    const code = await bundleForRuntime(workspaceSources().get('@sse/core')!, {
      noNodeBuiltins: true,
    });
    expect(code).toContain('createResponse');
    expect(unguardedNodeGlobals(code)).toEqual([]);
  });

  it('bundles with @sse/hono and Hono for a Worker with no Node built-in', async () => {
    const code = await bundleForRuntime(workspaceSources().get('@sse/hono')!, {
      noNodeBuiltins: true,
    });
    expect(code).toContain('text/event-stream');
  });
});
