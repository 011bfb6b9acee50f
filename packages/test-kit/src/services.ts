/** The Redis server these machines run (`SSE_REDIS_URL` for another); tests that stop Redis start their own. */
export const TEST_REDIS_URL = process.env.SSE_REDIS_URL ?? 'redis://127.0.0.1:6379';
