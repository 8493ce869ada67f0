-- One coupon claim in one round trip, atomically: the caller's two rate limits, then admission
-- (time window, stock, per-user limit) and the claim recorded on the template's stream. All keys
-- share the template's hash tag ({tpl:<id>}), so the script runs on a Redis Cluster too.
-- KEYS: 1 meta (hash: startsAt endsAt limit total), 2 stock, 3 users (hash userId -> count), 4 stream,
--       5 the user's rate-limit counter, 6 the address's rate-limit counter
-- ARGV: 1 userId, 2 now (ms), 3 claimId, 4 user points, 5 user window (ms), 6 address points, 7 address window (ms)
-- A fixed window per counter, as rate-limiter-flexible counts. A request over the user's limit
-- spends none of the address's budget (one villager cannot use up the village's shared address).
local function over(key, points, windowMs)
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, windowMs) end
  if n > tonumber(points) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then redis.call('PEXPIRE', key, windowMs) ttl = tonumber(windowMs) end
    return ttl
  end
  return false
end
-- Counters not rebuilt yet: nothing is counted, and the caller asks again once they are.
if redis.call('EXISTS', KEYS[2]) == 0 then return {'NOT_READY'} end
local wait = over(KEYS[5], ARGV[4], ARGV[5])
if wait then return {'RATE_LIMITED', tostring(wait)} end
wait = over(KEYS[6], ARGV[6], ARGV[7])
if wait then return {'RATE_LIMITED', tostring(wait)} end
local meta = redis.call('HMGET', KEYS[1], 'startsAt', 'endsAt', 'limit', 'total')
local now = tonumber(ARGV[2])
if now < tonumber(meta[1]) then return {'CAMPAIGN_NOT_STARTED'} end
if now >= tonumber(meta[2]) then return {'CAMPAIGN_ENDED'} end
local count = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if count >= tonumber(meta[3]) then return {'COUPON_LIMIT_REACHED'} end
local stock = tonumber(redis.call('GET', KEYS[2]))
if stock <= 0 then return {'COUPON_SOLD_OUT'} end
local left = redis.call('DECR', KEYS[2])
local seq = redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
local slot = tonumber(meta[4]) - left
local id = redis.call('XADD', KEYS[4], '*', 'claimId', ARGV[3], 'userId', ARGV[1], 'seq', seq, 'slot', slot, 'at', ARGV[2])
return {'OK', tostring(seq), tostring(slot), id}
