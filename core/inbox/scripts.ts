/**
 * The inbox's one write: a compare-and-set of an item's JSON that keeps the
 * indexes in step and adds the item's event to the swarm's stream in the
 * same script, so an item is opened, answered, escalated or withdrawn once,
 * with exactly one event, whoever races.
 *
 * KEYS: item, open (zset by creation), due (zset by escalation time), closed
 * (zset by closing time), all (zset by creation), events stream.
 * ARGV: expected sha1 of the stored JSON ('' = the item must not exist), new
 * JSON, id, creation score, open ('1'|'0'), due score ('' = not due), closed
 * score ('' = not closed), then the event's field/value pairs.
 * Returns 1 when written, 0 when the item changed (or exists) meanwhile, -1
 * when it is gone.
 */
export const WRITE_ITEM = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if current then return 0 end
else
  if not current then return -1 end
  if redis.sha1hex(current) ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
local id = ARGV[3]
redis.call('ZADD', KEYS[5], tonumber(ARGV[4]), id)
if ARGV[5] == '1' then redis.call('ZADD', KEYS[2], tonumber(ARGV[4]), id) else redis.call('ZREM', KEYS[2], id) end
if ARGV[6] ~= '' then redis.call('ZADD', KEYS[3], tonumber(ARGV[6]), id) else redis.call('ZREM', KEYS[3], id) end
if ARGV[7] ~= '' then redis.call('ZADD', KEYS[4], tonumber(ARGV[7]), id) end
local args = { 'XADD', KEYS[6], 'MAXLEN', '~', '100000', '*' }
for i = 8, #ARGV do args[#args + 1] = ARGV[i] end
redis.call(unpack(args))
return 1`;

/** KEYS: closed, all; ARGV: ids; the item keys are KEYS[3..]. Deletes closed items. */
export const REMOVE_ITEMS = `
for i, id in ipairs(ARGV) do
  redis.call('DEL', KEYS[2 + i])
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return #ARGV`;
