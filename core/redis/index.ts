export {
  redisTarget,
  describeTarget,
  configuredSentinelTarget,
  recordRedisTarget,
  redisTargetFile,
  usesEmbeddedRedis,
  type RedisTarget,
  type SentinelTarget,
} from "./target.js";
export { createRedis, connectOrFail, type CreateRedisOptions } from "./connect.js";
export { startEmbeddedRedis, stopEmbeddedRedis, isEmbeddedRedisRunning, redisServerVersion } from "./embedded.js";
export { checkEvictionPolicy } from "./policy.js";
export { redisExposure, redisEndpoint, isLoopbackHost, askSentinelsForPrimary, type RedisExposure } from "./exposure.js";
export { enforceRedisSafety, redisRisks, ALLOW_WITHOUT_AUTH, ALLOW_WITHOUT_TLS, type RedisOptOuts, type RedisRisks } from "./guard.js";
export { takePrefix, takeHost, claimPrefix, releasePrefix, ownerOf, OWNER_LEASE_MS, type PrefixOwner } from "./owner.js";
export {
  acquireLeader,
  renewLeader,
  releaseLeader,
  readLeader,
  parseLeaderRecord,
  FencedError,
  FENCE_LUA,
  LEADER_LEASE_MS,
  LEADER_RENEW_MS,
  LEADER_POLL_MS,
  type LeaderRecord,
  type AcquireResult,
  type RenewResult,
  type Candidate,
} from "./leader.js";
export { Acknowledger, type AcknowledgeSettings } from "./acknowledge.js";
