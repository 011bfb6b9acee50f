import { describeRuntimes } from '@sse/test-kit';

// `createResponse` in a plain fetch handler, served by Bun, Deno and workerd.
describeRuntimes('/core/events', 'createResponse');
