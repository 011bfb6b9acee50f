import type { FastifyReply } from 'fastify';

/** A promise that records whether anyone took it: `then`, `catch`, `await`, or a `return`. */
class WatchedPromise extends Promise<void> {
  // Derived promises are plain ones: only the promise handed to the route is watched.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  taken = false;

  override then<A = void, B = never>(
    onFulfilled?: ((value: void) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.taken = true;
    return super.then(onFulfilled, onRejected);
  }
}

/**
 * Hands `opening` to the route, and makes sure its failure is never lost nor fatal.
 *
 * Returned or awaited, a rejection reaches fastify's error handler as usual. A route that
 * drops the promise (an async route without `return reply.sse(...)`, which fastify has
 * already answered with an empty reply) would otherwise leave an unhandled rejection, which
 * ends the process: the failure is logged with `request.log.error` instead, saying what to fix.
 */
export function reportUnreturned(reply: FastifyReply, opening: Promise<void>): Promise<void> {
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const watched = new WatchedPromise((resolve, reject) => (settle = { resolve, reject }));
  // Marks the rejection as handled without marking the promise as taken.
  void Promise.prototype.then.call(watched, undefined, () => undefined);
  void opening.then(
    () => settle?.resolve(),
    (error: unknown) => {
      settle?.reject(error);
      // A route that takes the promise does so within the microtasks after the call.
      setImmediate(() => {
        if (watched.taken) return;
        reply.log.error(
          { err: error },
          'reply.sse() failed and the route neither returned nor awaited it, so fastify could ' +
            'neither wait for the stream nor answer with the error: write `return reply.sse(...)`',
        );
      });
    },
  );
  return watched;
}
