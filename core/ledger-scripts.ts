/**
 * Lua scripts that make the task ledger's transitions atomic: a terminal
 * state is recorded once, together with its event, whatever races happen
 * between bridges, cancels and re-deliveries.
 */
const TERMINAL = `local terminal = { completed = true, failed = true, timeout = true, cancelled = true, rejected = true }`;

const XADD_EVENT = `
local function add_event(stream, fields)
  local args = { 'XADD', stream, 'MAXLEN', '~', '100000', '*' }
  for i = 1, #fields do args[#args + 1] = fields[i] end
  return redis.call(unpack(args))
end`;

/**
 * KEYS: idempotency key (may be unused), task key, task index, events stream, open-task index.
 * ARGV: useIdem ('1'|'0'), id, score, idemTtlSec, nFields, field/value pairs…, event field/value pairs…
 * Returns the id of the task that now stands for this submission (an existing one for a repeated key).
 */
export const CREATE_TASK = `${XADD_EVENT}
if ARGV[1] == '1' then
  local existing = redis.call('GET', KEYS[1])
  if existing then return { existing, 0 } end
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[4]))
end
local n = tonumber(ARGV[5])
local fields = {}
for i = 6, 5 + n * 2 do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('ZADD', KEYS[3], tonumber(ARGV[3]), ARGV[2])
redis.call('ZADD', KEYS[5], tonumber(ARGV[3]), ARGV[2])
local ev = {}
for i = 6 + n * 2, #ARGV do ev[#ev + 1] = ARGV[i] end
add_event(KEYS[4], ev)
return { ARGV[2], 1 }`;

/**
 * KEYS: task key, events stream, open-task index, the task's raw text (deleted when this ends the
 * task: an ended task runs no more, and whoever sees its terminal state never sees the raw copy). ARGV: fence ('' = none: a write that is not a
 * dispatch's), write id (unique to this one write), nFields, field/value pairs…, event field/value pairs (may be empty).
 * A dispatch's write carries its fence, the task's `attempts` as that dispatch left it: once another
 * dispatch has counted a further attempt, the stale one's writes are refused here, in the same script
 * as the write, before anything else (so a stale result is refused as stale even after the task ended).
 *
 * A write sent twice is applied once. ioredis sends a command again when its connection dropped before the
 * reply came (autoResendUnfulfilledCommands, on in every client of ours): the first run may have been carried
 * out, its reply lost. Each write carries an id of its own (Ledger.update draws it; the command sent again is
 * the same bytes, so the same id), and an applied write appends it to the task's `writes` field (the last
 * RECENT_WRITES ids). A write whose id is there already ran: it changes nothing and adds no event, and is
 * answered as its first run was, applied (1) — unless it is a dispatch's write and another dispatch has been
 * counted since, which is refused (-2) as it would have been had it come only now. Without this, a
 * dispatch's write-ahead sent again was refused as another's (its own first run had counted the attempt it is
 * fenced on), its start sent again added a second task.started, and its result sent again read as "already
 * ended by someone else": no job.finished, no budget count, no end told to a waiter
 * (test/hosts/lost-reply.test.ts). Another write never has the same id, so it is refused as before.
 * Returns 1 if applied, 0 if the task was already terminal, -1 if it does not exist, -2 if fenced.
 */
export const TRANSITION_TASK = `${TERMINAL}
${XADD_EVENT}
local RECENT_WRITES = 8
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
local n = tonumber(ARGV[3])
local attempts = redis.call('HGET', KEYS[1], 'attempts') or '0'
local writes = redis.call('HGET', KEYS[1], 'writes') or ''
local id = ARGV[2]
if id ~= '' and string.find(' ' .. writes .. ' ', ' ' .. id .. ' ', 1, true) then
  if ARGV[1] == '' then return 1 end
  -- Still this dispatch's task: attempts as this write left them (a write-ahead counts one more).
  local mine = ARGV[1]
  for i = 4, 3 + n * 2, 2 do
    if ARGV[i] == 'attempts' then mine = ARGV[i + 1] end
  end
  if attempts == mine then return 1 end
  return -2
end
if ARGV[1] ~= '' and attempts ~= ARGV[1] then return -2 end
if terminal[status] then return 0 end
local fields = {}
for i = 4, 3 + n * 2 do fields[#fields + 1] = ARGV[i] end
if id ~= '' then
  local kept = {}
  for w in string.gmatch(writes, '%S+') do kept[#kept + 1] = w end
  while #kept >= RECENT_WRITES do table.remove(kept, 1) end
  kept[#kept + 1] = id
  fields[#fields + 1] = 'writes'
  fields[#fields + 1] = table.concat(kept, ' ')
end
if #fields > 0 then redis.call('HSET', KEYS[1], unpack(fields)) end
local now = redis.call('HGET', KEYS[1], 'status')
if terminal[now] then
  redis.call('ZREM', KEYS[3], redis.call('HGET', KEYS[1], 'id'))
  redis.call('DEL', KEYS[4])
end
local ev = {}
for i = 4 + n * 2, #ARGV do ev[#ev + 1] = ARGV[i] end
if #ev > 0 then add_event(KEYS[2], ev) end
return 1`;

/**
 * KEYS: task key, events stream. ARGV: write id (as TRANSITION_TASK's), nFields, field/value pairs…, event field/value pairs…
 * Adds figures a program reports after its task's terminal state was recorded (token counts that
 * land in its transcript after the turn's end): only to a terminal task, only fields it does not
 * have yet (HSETNX), so the recorded outcome itself never changes. Returns the number of fields set
 * (the event is added only when that is not 0), or -1 when the task does not exist. The same amendment
 * sent again after its reply was lost (see TRANSITION_TASK) is answered 1 and changes nothing: read as
 * "nothing new", its figures went uncounted in the agent's budget.
 */
export const AMEND_TASK = `${TERMINAL}
${XADD_EVENT}
local RECENT_WRITES = 8
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
if not terminal[status] then return 0 end
local writes = redis.call('HGET', KEYS[1], 'writes') or ''
local id = ARGV[1]
if id ~= '' and string.find(' ' .. writes .. ' ', ' ' .. id .. ' ', 1, true) then return 1 end
local n = tonumber(ARGV[2])
local set = 0
for i = 3, 2 + n * 2, 2 do set = set + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
if set == 0 then return 0 end
if id ~= '' then
  local kept = {}
  for w in string.gmatch(writes, '%S+') do kept[#kept + 1] = w end
  while #kept >= RECENT_WRITES do table.remove(kept, 1) end
  kept[#kept + 1] = id
  redis.call('HSET', KEYS[1], 'writes', table.concat(kept, ' '))
end
local ev = {}
for i = 3 + n * 2, #ARGV do ev[#ev + 1] = ARGV[i] end
if #ev > 0 then add_event(KEYS[2], ev) end
return set`;
