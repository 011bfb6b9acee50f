import { validateStreamOptions } from '@sse/core/adapter';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { FastifySseHandler, FastifySseOptions } from './options';
import { closeOpenStreams, openReplyStream, type OpenStreams } from './reply-sse';
import { reportUnreturned } from './unreturned';

const registerSse: FastifyPluginCallback<FastifySseOptions> = (fastify, defaults, done) => {
  try {
    validateStreamOptions(defaults);
  } catch (error) {
    // Bad defaults are a programming error: fail the registration, not every request.
    done(error as Error);
    return;
  }
  const open: OpenStreams = { streams: new Map(), closing: false };

  // preClose runs before the server waits for its connections: ending the streams here lets
  // close() resolve at once, and clients see the end and reconnect elsewhere.
  fastify.addHook('preClose', (hookDone) => {
    closeOpenStreams(open);
    hookDone();
  });

  fastify.decorateReply(
    'sse',
    function sse(
      this: FastifyReply,
      first?: FastifySseOptions | FastifySseHandler,
      second?: FastifySseHandler,
    ): Promise<void> {
      return reportUnreturned(this, openReplyStream(this, defaults, open, first, second));
    },
  );
  done();
};

/**
 * The fastify plugin: `app.register(fastifySse, defaults)` decorates `reply.sse()` in the
 * context it is registered in (and its children). `defaults` are stream options and `channel`,
 * under the options of each call. `app.close()` ends every stream the plugin opened
 * (reason `"server"`). Built with `fastify-plugin` (name `@sse/fastify`, `fastify: '5.x'`).
 */
export const fastifySse = fastifyPlugin(registerSse, { fastify: '5.x', name: '@sse/fastify' });

/** The same plugin as `fastifySse`, under its first name. */
export const ssePlugin = fastifySse;
