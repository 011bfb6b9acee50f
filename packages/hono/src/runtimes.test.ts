import { describeRuntimes } from '@sse/test-kit';

// A Hono app on `@sse/hono`, served by Bun, Deno and workerd (Cloudflare Workers' runtime).
describeRuntimes('/hono/events', '@sse/hono');
