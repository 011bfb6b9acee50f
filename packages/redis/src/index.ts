export { redisBroker } from './broker';
export type { RedisBrokerOptions } from './broker-options';
export { redisBackplane } from './backplane';
export type { RedisBackplaneOptions } from './options';
export type { RedisClusterConnection, RedisConnection, RedisMessageListener } from './connection';
