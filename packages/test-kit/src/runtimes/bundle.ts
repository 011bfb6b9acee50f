import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** The workspace root (where tsconfig.json maps `@sse/*` to the sources). */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** `@sse/*` specifiers and their source files, as the root tsconfig.json maps them. */
export function workspaceSources(): Map<string, string> {
  const tsconfig = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const sources = new Map<string, string>();
  for (const [specifier, [path]] of Object.entries(tsconfig.compilerOptions.paths)) {
    if (path) sources.set(specifier, join(WORKSPACE_ROOT, path));
  }
  return sources;
}

/** Resolves `@sse/*` to the sources, so the runtime tests need no build. */
function workspacePlugin(): Plugin {
  const sources = workspaceSources();
  return {
    name: 'sse-workspace-sources',
    setup(context) {
      context.onResolve({ filter: /^@sse\// }, ({ path }) => {
        const source = sources.get(path);
        return source ? { path: source } : { errors: [{ text: `no source for ${path}` }] };
      });
    },
  };
}

/** Options of `bundleForRuntime`. */
export interface BundleOptions {
  /**
   * Fail on any import of a Node built-in (`node:*` or a bare `fs`, `events`...): the bundle is
   * for a runtime that has none of them (a Worker without `nodejs_compat`).
   */
  noNodeBuiltins?: boolean;
}

/**
 * Bundles `entry` (a TypeScript file) and what it imports into one ES module for a fetch-style
 * runtime (export conditions `workerd`, `worker`, `browser`), with `@sse/*` taken from the
 * sources. Returns its text.
 */
export async function bundleForRuntime(
  entry: string,
  options: BundleOptions = {},
): Promise<string> {
  const plugins = [workspacePlugin()];
  if (options.noNodeBuiltins) plugins.push(rejectNodeBuiltins());
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser', 'import'],
    mainFields: ['module', 'main'],
    plugins,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

const BUILTIN =
  /^(node:|(assert|buffer|child_process|crypto|events|fs|http|http2|https|net|os|path|process|stream|timers|tls|url|util|worker_threads|zlib)(\/|$))/;

function rejectNodeBuiltins(): Plugin {
  return {
    name: 'reject-node-builtins',
    setup(context) {
      context.onResolve({ filter: BUILTIN }, ({ path, importer }) => ({
        errors: [{ text: `${importer} imports the Node built-in "${path}"` }],
      }));
    },
  };
}
