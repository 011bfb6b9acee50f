export { redisBackplane } from './backplane';
export type { RedisBackplaneOptions } from './options';
export type { RedisConnection } from './connection';
