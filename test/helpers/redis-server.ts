/** A real redis-server for the tests: the launcher the benchmark uses too (bench/redis-server.ts). */
export { startRedis, freePort, REDIS_SERVER, type RedisServer } from '../../bench/redis-server';
