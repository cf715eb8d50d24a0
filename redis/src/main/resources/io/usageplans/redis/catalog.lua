-- usage-plans: the API keys every instance shares (hashes only). KEYS[1]: name -> key record; KEYS[2]: the catalog's
-- version, raised by every change, which each instance polls. Both carry the hash tag {keys}: one Cluster slot.
local op = ARGV[1]

-- writes the name/record pairs of ARGV[2..] when every name is there (exist true) or none is (exist false), raising
-- the version once: '' when written, else the first name that is not as required
local function setAll(exist)
  for i = 2, #ARGV, 2 do
    if (redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1) ~= exist then
      return ARGV[i]
    end
  end
  for i = 2, #ARGV, 2 do
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
  redis.call('INCR', KEYS[2])
  return ''
end

if op == 'seed' then -- name/record pairs added unless the name is taken; the number added
  local added = 0
  for i = 2, #ARGV, 2 do
    added = added + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
  end
  if added > 0 then
    redis.call('INCR', KEYS[2])
  end
  return added
elseif op == 'add' then -- all pairs, or none when a name is taken: then that name
  return setAll(false)
elseif op == 'put' then -- name, record
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
  redis.call('INCR', KEYS[2])
  return 1
elseif op == 'replace' then -- name, the record expected, the new record: 1 when replaced
  if redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[3] then
    return 0
  end
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
  redis.call('INCR', KEYS[2])
  return 1
elseif op == 'replaceAll' then -- name/record pairs, all or none: '' when replaced, else the first name not there
  return setAll(true)
elseif op == 'removeAll' then -- names: those that were there
  local removed = {}
  for i = 2, #ARGV do
    if redis.call('HDEL', KEYS[1], ARGV[i]) > 0 then
      removed[#removed + 1] = ARGV[i]
    end
  end
  if #removed > 0 then
    redis.call('INCR', KEYS[2])
  end
  return removed
end
return redis.error_reply('usage-plans: unknown catalog operation ' .. tostring(op))
