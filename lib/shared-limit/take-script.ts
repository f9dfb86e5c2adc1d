/**
 * The atomic part of the shared limit: one Lua script that Redis runs alone, so processes never
 * interleave inside it. For every key it refills a token bucket from Redis's own clock (no clock
 * skew between machines), grants up to ARGV[1] requests only if every bucket has them, and records
 * the calling process in the key's member set (for the fallback share when Redis is gone).
 *
 * Why a token bucket and not rate-limiter-flexible's fixed windows: a window of `points` per second
 * lets 2 x points through in a second that straddles two windows (test/integration/shared-limit
 * shows it against a real Redis); a bucket bounds every one-second span, wherever it starts, by
 * rate + burst: the bound the service's per-IP limit needs.
 *
 * KEYS[i]: bucket i; KEYS[n + i]: its member set.
 * ARGV: want, processId, drain (1 = empty the buckets first), memberWindowSeconds, ttlMs,
 *       then rate_i, burst_i for each bucket.
 * Returns { granted, waitMs (until half a burst is there again), members_1, ..., members_n }.
 * A bucket that does not exist (first use, expired, Redis restarted empty) starts with no tokens:
 * its history is unknown, so it is not trusted with a burst.
 */
export const TAKE_SCRIPT = `
local n = #KEYS / 2
local want = tonumber(ARGV[1])
local pid = ARGV[2]
local drain = ARGV[3] == '1'
local window = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local t = redis.call('TIME')
local sec = tonumber(t[1])
local usec = tonumber(t[2])
local tokens = {}
local grant = want
local wait = 0
for i = 1, n do
  local rate = tonumber(ARGV[4 + 2 * i])
  local burst = tonumber(ARGV[5 + 2 * i])
  local h = redis.call('HMGET', KEYS[i], 't', 's', 'u')
  local tk = 0
  if h[1] and not drain then
    local elapsed = (sec - tonumber(h[2])) + (usec - tonumber(h[3])) / 1000000
    if elapsed < 0 then elapsed = 0 end
    tk = math.min(burst, tonumber(h[1]) + elapsed * rate)
  end
  tokens[i] = tk
  local whole = math.floor(tk)
  if whole < grant then grant = whole end
end
if grant < 0 then grant = 0 end
-- How long until every bucket holds half a burst again (at most \`want\`): asking back then grants
-- several tokens in one round trip, while the other half leaves room for the caller's lateness
-- before a full bucket would start to waste the rate.
for i = 1, n do
  local rate = tonumber(ARGV[4 + 2 * i])
  local burst = tonumber(ARGV[5 + 2 * i])
  local target = math.min(want, math.max(1, math.floor(burst / 2)))
  local short = target - (tokens[i] - grant)
  if short > 0 and short / rate > wait then wait = short / rate end
end
local result = { grant, math.ceil(wait * 1000) }
for i = 1, n do
  redis.call('HSET', KEYS[i], 't', string.format('%.6f', tokens[i] - grant), 's', sec, 'u', usec)
  redis.call('PEXPIRE', KEYS[i], ttl)
  local members = KEYS[n + i]
  redis.call('ZADD', members, sec, pid)
  redis.call('ZREMRANGEBYSCORE', members, '-inf', sec - window)
  redis.call('EXPIRE', members, window * 2)
  result[2 + i] = redis.call('ZCARD', members)
end
return result
`;
