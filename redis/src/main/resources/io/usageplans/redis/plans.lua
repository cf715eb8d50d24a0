-- usage-plans: the plans every instance shares, one document. KEYS[1]: the document; KEYS[2]: the catalog's version,
-- shared with the keys, raised by every change, which each instance polls. Both carry the hash tag {keys}: one slot.
local op = ARGV[1]
if op == 'seed' then -- the document, written unless there is one: 1 when written
  if redis.call('SETNX', KEYS[1], ARGV[2]) == 1 then
    redis.call('INCR', KEYS[2])
    return 1
  end
  return 0
elseif op == 'replace' then -- the document expected, the new one: 1 when replaced
  if redis.call('GET', KEYS[1]) ~= ARGV[2] then
    return 0
  end
  redis.call('SET', KEYS[1], ARGV[3])
  redis.call('INCR', KEYS[2])
  return 1
end
return redis.error_reply('usage-plans: unknown plans operation ' .. tostring(op))
