-- Admission of one coupon claim, atomically: time window, stock, per-user limit, then the claim
-- is recorded on the template's stream. All keys share the template's hash tag ({tpl:<id>}), so
-- the script runs on a Redis Cluster too.
-- KEYS: 1 meta (hash: startsAt endsAt limit total), 2 stock, 3 users (hash userId -> count), 4 stream
-- ARGV: 1 userId, 2 now (ms), 3 claimId
if redis.call('EXISTS', KEYS[2]) == 0 then return {'NOT_READY'} end
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
