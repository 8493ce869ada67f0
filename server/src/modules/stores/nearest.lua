-- The nearest stores in widening rings, in one round trip.
-- KEYS[1] the geo set, KEYS[2] the "index built" marker; ARGV: lng, lat, count, radii in metres (ascending).
-- Returns { built (0/1), ids nearest first }.
local count = tonumber(ARGV[3])
local hits = {}
for i = 4, #ARGV do
  hits = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', ARGV[i], 'm', 'ASC', 'COUNT', count)
  if #hits >= count then return { 1, hits } end
end
return { redis.call('EXISTS', KEYS[2]), hits }
