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
 * Reservations ahead of Redis's now (`leadMs`): a process whose answer takes a while to reach it
 * (a Redis in another zone) asks for slots no earlier than the answer can arrive, so that its slots
 * are still to come when it reads them. The bucket is then brought to that moment (tokens earned
 * up to it, capped at the burst) and kept as of it; a caller at an earlier moment extrapolates
 * backwards (the refill it would earn meanwhile is not there yet), so every caller's slots stay on
 * one timeline.
 *
 * Processes with different rates for one key (a rolling upgrade): the bucket keeps the lowest rate
 * and burst any caller asked for within the member window, and uses it for every caller, so that
 * the bound is the strictest of them while any of them is about.
 *
 * KEYS[i]: bucket i; KEYS[n + i]: its member set.
 * ARGV: want, processId, drain (1 = spend what the buckets hold first), memberWindowSeconds, ttlMs,
 *       horizonMs, leadMs, charge (tokens to take on top, unslotted: requests written late), then
 *       rate_i, burst_i for each bucket.
 * Returns { granted, waitMs (until one more slot falls within the horizon; 0 when all were
 * granted), redisNowUs (Redis's clock, microseconds), members_1, ..., members_n, slotUs_1, ...,
 * slotUs_granted } where slotUs_k is how long after Redis's now (microseconds) the k-th slot
 * begins.
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
local lead = tonumber(ARGV[7]) / 1000
local charge = tonumber(ARGV[8])
local t = redis.call('TIME')
local sec = tonumber(t[1])
local nowUs = sec * 1000000 + tonumber(t[2])
local atUs = nowUs + math.floor(lead * 1000000)
local tokens = {}
local rates = {}
local limits = {}
for i = 1, n do
  local rate = tonumber(ARGV[7 + 2 * i])
  local burst = tonumber(ARGV[8 + 2 * i])
  local h = redis.call('HMGET', KEYS[i], 't', 'm', 'r', 'b', 'lu')
  -- The strictest rate and burst asked for within the member window (rolling upgrades).
  if h[3] and h[5] and nowUs - tonumber(h[5]) < window * 1000000 then
    if tonumber(h[3]) < rate then rate = tonumber(h[3]) end
    if tonumber(h[4]) < burst then burst = tonumber(h[4]) end
  end
  local asked = tonumber(ARGV[7 + 2 * i]) <= rate and tonumber(ARGV[8 + 2 * i]) <= burst
  limits[i] = { rate, burst, asked }
  rates[i] = rate
  local tk = 0
  if h[1] and h[2] then
    local elapsed = (atUs - tonumber(h[2])) / 1000000
    tk = math.min(burst, tonumber(h[1]) + elapsed * rate)
  end
  -- Draining gives up what was saved while this process sent on its own share, never the debt
  -- of slots other processes hold.
  if drain and tk > 0 then tk = 0 end
  tokens[i] = tk - charge
end
-- When every bucket will have earned its k-th token from the reservation's moment (seconds).
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
  local at = lead + slot(k)
  if at > horizon then
    wait = at - horizon
    break
  end
  grant = k
  slots[k] = math.floor(at * 1000000)
end
local result = { grant, math.ceil(wait * 1000), nowUs }
for i = 1, n do
  redis.call('HSET', KEYS[i], 't', string.format('%.6f', tokens[i] - grant), 'm', string.format('%d', atUs))
  local rate, burst, asked = limits[i][1], limits[i][2], limits[i][3]
  -- The caller's own limit is kept when it is the strictest (its moment refreshed); a stricter one
  -- of another caller stays until it is older than the window.
  if asked then redis.call('HSET', KEYS[i], 'r', rate, 'b', burst, 'lu', string.format('%d', nowUs)) end
  redis.call('PEXPIRE', KEYS[i], ttl)
  local members = KEYS[n + i]
  redis.call('ZADD', members, sec, pid)
  redis.call('ZREMRANGEBYSCORE', members, '-inf', sec - window)
  redis.call('EXPIRE', members, window * 2)
  result[3 + i] = redis.call('ZCARD', members)
end
for k = 1, grant do
  result[3 + n + k] = slots[k]
end
return result
`;
