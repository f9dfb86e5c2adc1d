/**
 * The atomic part of the shared limit: one Lua script that Redis runs alone, so processes never
 * interleave inside it. For every key it refills a token bucket from Redis's own clock (no clock
 * skew between machines), reserves up to ARGV[1] send slots that every bucket can pay for, and
 * records the calling process in the key's member set (for the fallback share when Redis is gone).
 *
 * Slots, not only tokens at hand: a bucket may go into debt up to `horizonMs` of its rate, and the
 * k-th slot is the moment every bucket will have earned its k-th token. It is the generic cell
 * rate algorithm (GCRA) over a token bucket: every one-second span of slots, wherever it starts,
 * still holds at most rate + burst. What it changes is the cost: a process asks once for a batch
 * of slots and waits for them on its own clock, instead of asking again whenever a token may have
 * come in, where several processes woke together and all but one came away empty (4 processes
 * made 4 round trips per request, measured).
 *
 * Why a token bucket and not rate-limiter-flexible's fixed windows: a window of `points` per second
 * lets 2 x points through in a second that straddles two windows (test/integration/shared-limit
 * shows it against a real Redis); a bucket bounds every one-second span, wherever it starts, by
 * rate + burst: the bound the service's per-IP limit needs.
 *
 * KEYS[i]: bucket i; KEYS[n + i]: its member set.
 * ARGV: want, processId, drain (1 = spend what the buckets hold first), memberWindowSeconds, ttlMs,
 *       horizonMs, then rate_i, burst_i for each bucket.
 * Returns { granted, waitMs (until one more slot falls within the horizon; 0 when all were
 * granted), members_1, ..., members_n, slotUs_1, ..., slotUs_granted } where slotUs_k is how
 * long after Redis's now (microseconds) the k-th slot begins.
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
local horizon = tonumber(ARGV[6]) / 1000
local t = redis.call('TIME')
local sec = tonumber(t[1])
local usec = tonumber(t[2])
local tokens = {}
local rates = {}
for i = 1, n do
  local rate = tonumber(ARGV[5 + 2 * i])
  local burst = tonumber(ARGV[6 + 2 * i])
  rates[i] = rate
  local h = redis.call('HMGET', KEYS[i], 't', 's', 'u')
  local tk = 0
  if h[1] then
    local elapsed = (sec - tonumber(h[2])) + (usec - tonumber(h[3])) / 1000000
    if elapsed < 0 then elapsed = 0 end
    tk = math.min(burst, tonumber(h[1]) + elapsed * rate)
  end
  -- Draining gives up what was saved while this process sent on its own share, never the debt
  -- of slots other processes hold.
  if drain and tk > 0 then tk = 0 end
  tokens[i] = tk
end
-- When every bucket will have earned its k-th token from now (seconds).
local function slot(k)
  local at = 0
  for i = 1, n do
    local short = k - tokens[i]
    if short > 0 and short / rates[i] > at then at = short / rates[i] end
  end
  return at
end
local slots = {}
local grant = 0
local wait = 0
for k = 1, want do
  local at = slot(k)
  if at > horizon then
    wait = at - horizon
    break
  end
  grant = k
  slots[k] = math.floor(at * 1000000)
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
for k = 1, grant do
  result[2 + n + k] = slots[k]
end
return result
`;
