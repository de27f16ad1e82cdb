export { redisTarget, describeTarget, type RedisTarget } from "./target.js";
export { createRedis, connectOrFail, type CreateRedisOptions } from "./connect.js";
export { startEmbeddedRedis, stopEmbeddedRedis, isEmbeddedRedisRunning, redisServerVersion } from "./embedded.js";
export { checkEvictionPolicy } from "./policy.js";
