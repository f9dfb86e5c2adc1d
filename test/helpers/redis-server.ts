/** A real redis-server for the tests: the launcher the benchmark uses too (bench/redis-server.ts). */
export { startRedis, freePort, redisServerBinary, type RedisServer } from '../../bench/redis-server';
