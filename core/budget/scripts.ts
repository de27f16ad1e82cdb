/**
 * The budget hash's Lua scripts (agent-spend.ts). Each is one atomic step on
 * `<prefix>:spend:<agent>:<period>`. Counting creates the hash and sets its
 * expiry (some days after the period); the others change only a hash that
 * exists (HSET keeps the expiry), so none leaves a hash that never expires.
 */

/**
 * Counts a task's figures once: the hash remembers what it counted per task
 * (`t:<id>` = "usd tokens"), and only what a task reports beyond that is
 * added (an interactive program's tokens arrive after its result). Counting a
 * task again with the same figures adds nothing. Returns {usd, tokens}.
 * ARGV: expireAt, task field, usd, tokens.
 */
export const COUNT_SPEND = `
local prev = redis.call('HGET', KEYS[1], ARGV[2])
local pu, pt = 0, 0
if prev then
  local sep = string.find(prev, ' ', 1, true)
  pu = tonumber(string.sub(prev, 1, sep - 1)) or 0
  pt = tonumber(string.sub(prev, sep + 1)) or 0
end
local u = tonumber(ARGV[3]) or 0
local t = tonumber(ARGV[4]) or 0
local du = u - pu
local dt = t - pt
if du > 0 then redis.call('HINCRBYFLOAT', KEYS[1], 'usd', string.format('%.10f', du)) end
if dt > 0 then redis.call('HINCRBY', KEYS[1], 'tokens', dt) end
if du > 0 or dt > 0 or not prev then
  redis.call('HSET', KEYS[1], ARGV[2], string.format('%.10f', math.max(u, pu)) .. ' ' .. string.format('%d', math.max(t, pt)))
end
redis.call('EXPIREAT', KEYS[1], ARGV[1])
return {redis.call('HGET', KEYS[1], 'usd') or '0', redis.call('HGET', KEYS[1], 'tokens') or '0'}
`;

/** Takes one "continue once" credit if there is one: 1, else 0. */
export const TAKE_ONCE = `
local once = tonumber(redis.call('HGET', KEYS[1], 'once') or '0') or 0
if once <= 0 then return 0 end
redis.call('HSET', KEYS[1], 'once', once - 1)
return 1
`;

/** Gives back a credit TAKE_ONCE took for a job that then did not run. */
export const GIVE_ONCE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'once', 1)
return 1
`;

/**
 * Names the item that asks about this period's limit, when the one named is
 * still `expected` (none, or one already answered): 1, else 0 (another ask is
 * open). ARGV: expected, new item id.
 */
export const CLAIM_ITEM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if (redis.call('HGET', KEYS[1], 'item') or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'item', ARGV[2])
return 1
`;

/**
 * Applies the answer of item ARGV[2] once: 'stale' when the hash names
 * another item, 'again' when it was applied before, else 'applied'.
 * ARGV: item id, decision (raise|once|stop), raised usd or '', raised tokens or ''.
 */
export const APPLY_ANSWER = `
if (redis.call('HGET', KEYS[1], 'item') or '') ~= ARGV[1] then return 'stale' end
if (redis.call('HGET', KEYS[1], 'applied') or '') == ARGV[1] then return 'again' end
redis.call('HSET', KEYS[1], 'applied', ARGV[1])
if ARGV[2] == 'once' then redis.call('HINCRBY', KEYS[1], 'once', 1) end
if ARGV[2] == 'stop' then redis.call('HSET', KEYS[1], 'stopped', '1') end
if ARGV[2] == 'raise' then
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'raised.usd', ARGV[3]) end
  if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'raised.tokens', ARGV[4]) end
end
return 'applied'
`;
