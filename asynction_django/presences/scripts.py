"""The Lua scripts of the Redis presence store: each reads and writes in one step.

A room is a hash: member -> ``{"i": info, "n": {process: connections}}``; a process
counts as alive while its score in the ``nodes`` sorted set (when its claim expires, in
Redis's own milliseconds: no two machines' clocks are compared) is in the future. Every
count of a member is read and written inside one script, so two processes changing the
same member never lose each other's count, and exactly one of them sees the member
arrive (nobody counted before) or go (nobody counted after).
"""

from __future__ import annotations

# What every script starts with: Redis's clock, and which processes are alive (asked
# once per process per script).
_PRELUDE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local alive = {}
local function live(node, nodes)
  if alive[node] == nil then
    local expires = redis.call('ZSCORE', nodes, node)
    alive[node] = expires ~= false and tonumber(expires) > now
  end
  return alive[node]
end
local function total(entry, nodes)
  local sum = 0
  for node, count in pairs(entry.n) do
    if live(node, nodes) then sum = sum + count end
  end
  return sum
end
local function store(room, member, entry)
  if next(entry.n) == nil then
    redis.call('HDEL', room, member)
  else
    redis.call('HSET', room, member, cjson.encode(entry))
  end
end
"""

# KEYS: room, nodes, this process's rooms; ARGV: member, node, count, info, room id,
# room left ("1": nobody of this process is in the room any more).
# Returns the member's connections (of live processes) before and after.
UPDATE = _PRELUDE + """
alive[ARGV[2]] = true
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local entry = raw and cjson.decode(raw) or {i = ARGV[4], n = {}}
local before = total(entry, KEYS[2])
local count = tonumber(ARGV[3])
if count > 0 then
  entry.n[ARGV[2]] = count
  entry.i = ARGV[4]
else
  entry.n[ARGV[2]] = nil
end
store(KEYS[1], ARGV[1], entry)
if ARGV[6] == '1' then
  redis.call('SREM', KEYS[3], ARGV[5])
elseif count > 0 then
  redis.call('SADD', KEYS[3], ARGV[5])
end
return {before, total(entry, KEYS[2])}
"""

# KEYS: room, nodes. Returns member, info, connections, ... of the members of live
# processes.
MEMBERS = _PRELUDE + """
local found = {}
local all = redis.call('HGETALL', KEYS[1])
for index = 1, #all, 2 do
  local entry = cjson.decode(all[index + 1])
  local sum = total(entry, KEYS[2])
  if sum > 0 then
    table.insert(found, all[index])
    table.insert(found, entry.i)
    table.insert(found, sum)
  end
end
return found
"""

# KEYS: nodes; ARGV: node, ttl (ms). Renews the process's claim; returns 1 when it was
# still alive, 0 when it was not (first start, or taken for dead: it writes all again).
BEAT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if old and tonumber(old) > now then return 1 end
return 0
"""

# KEYS: nodes; ARGV: how many. The processes whose claim expired.
DEAD = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
"""

# KEYS: room, nodes; ARGV: a dead node. Takes its counts out of the room; returns
# member, info, ... of the members nobody alive counts any more (nil: it came back).
SWEEP = _PRELUDE + """
if live(ARGV[1], KEYS[2]) then return false end
local gone = {}
local all = redis.call('HGETALL', KEYS[1])
for index = 1, #all, 2 do
  local entry = cjson.decode(all[index + 1])
  if entry.n[ARGV[1]] ~= nil then
    entry.n[ARGV[1]] = nil
    store(KEYS[1], all[index], entry)
    if total(entry, KEYS[2]) == 0 then
      table.insert(gone, all[index])
      table.insert(gone, entry.i)
    end
  end
end
return gone
"""

# KEYS: nodes, the dead node's rooms; ARGV: the dead node. Forgets it, once swept
# (1), unless it came back meanwhile (0).
FORGET = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local expires = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expires and tonumber(expires) > now then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
"""
