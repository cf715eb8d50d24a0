-- usage-plans: the state of one API key on one plan, decided atomically inside Redis (one script per operation).
-- KEYS[1]: the state hash (buckets, quota counter, outstanding allowances); KEYS[2]: the daily usage hash.
-- Both carry the same hash tag, so that in a Redis Cluster the script touches one slot.
-- ARGV[1]: the operation (decide, refund, settle, quota); ARGV[2]: the time in microseconds since the epoch, or ''
-- for Redis's own clock (TIME), so that application servers' clocks cannot skew the buckets; ARGV[3]: days of usage
-- history kept; the rest depends on the operation. Buckets refill continuously (greedy), as Bucket4j's do, with the
-- arithmetic of io.usageplans.hazelcast.KeyUsage, so that every store answers alike.
-- Fields of the state hash: b.<id>.c / .f / .t / .r (capacity, nanoseconds to fill, tokens, last refill in us),
-- q.s / q.u (quota period start in ms, counter), l.t / l.d (tokens out as allowances, until when in us), st (the last
-- settle batches applied). Fields of the usage hash: <day> (units), <day>q (quota counter), last (the latest day).

local S, D = KEYS[1], KEYS[2]
local op = ARGV[1]
local function serverNow()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local now
if ARGV[2] == '' then
  now = serverNow()
else
  now = tonumber(ARGV[2])
end
local reportDays = tonumber(ARGV[3])
local DAY_MS = 86400000

local st = {}
local raw = redis.call('HGETALL', S)
for i = 1, #raw, 2 do
  st[raw[i]] = raw[i + 1]
end
local dirty = {}
local function put(field, value)
  st[field] = value
  dirty[field] = true
end
local function num(x)
  return string.format('%.17g', x)
end

local leased = tonumber(st['l.t'] or '0')
local leaseUntil = tonumber(st['l.d'] or '0')

-- a bucket of the request: the stored one, a full one when it is new, or the stored one carried over to a shape the
-- catalog changed: refilled at the old rate until now, then a lower burst caps the tokens and a higher one adds the
-- difference (Bucket4j's TokensInheritanceStrategy.ADDITIVE); the new rate applies from now on
local function bucket(id, capS, fillS)
  if id == nil or id == '' then
    return nil
  end
  local p = 'b.' .. id .. '.'
  local b = { p = p, cap = tonumber(capS), fill = tonumber(fillS), reshaped = false }
  if st[p .. 'c'] == capS and st[p .. 'f'] == fillS then
    b.tokens = tonumber(st[p .. 't'])
    b.last = tonumber(st[p .. 'r'])
  elseif st[p .. 'c'] ~= nil then
    local oldCap, oldFill = tonumber(st[p .. 'c']), tonumber(st[p .. 'f'])
    local tokens, last = tonumber(st[p .. 't']), tonumber(st[p .. 'r'])
    if now > last then
      tokens = math.min(oldCap, tokens + (now - last) * 1000 * oldCap / oldFill)
      last = now
    end
    if b.cap > oldCap then
      tokens = tokens + (b.cap - oldCap)
    end
    b.capS, b.fillS = capS, fillS
    b.tokens = math.min(b.cap, tokens)
    b.last = last
    b.reshaped = true
  else
    b.capS, b.fillS = capS, fillS
    b.tokens = b.cap
    b.last = now
    b.reshaped = true
  end
  return b
end

-- a bucket as stored, whatever its shape (refunds give back to what is there); nil when there is none
local function stored(id)
  if id == nil or id == '' then
    return nil
  end
  local p = 'b.' .. id .. '.'
  if st[p .. 'c'] == nil then
    return nil
  end
  return { p = p, cap = tonumber(st[p .. 'c']), fill = tonumber(st[p .. 'f']), tokens = tonumber(st[p .. 't']),
           last = tonumber(st[p .. 'r']), reshaped = false }
end

local function refill(b)
  if b == nil or now <= b.last then
    return
  end
  local added = (now - b.last) * 1000 * b.cap / b.fill
  b.tokens = math.min(b.cap, b.tokens + added)
  b.last = now
end

-- while members hold tokens as allowances, the plan bucket holds at most its capacity less those
local function capForAllowances(b)
  if b == nil or leased <= 0 or now > leaseUntil then
    return
  end
  local most = math.max(0, b.cap - leased)
  if b.tokens > most then
    b.tokens = most
  end
end

local function nanosFor(b, missing)
  if b == nil or missing <= 0 then
    return 0
  end
  return math.ceil(missing * b.fill / b.cap)
end

local function save(b)
  if b == nil then
    return
  end
  if b.reshaped then
    put(b.p .. 'c', b.capS)
    put(b.p .. 'f', b.fillS)
  end
  put(b.p .. 't', num(b.tokens))
  put(b.p .. 'r', num(b.last))
end

local quotaStart = tonumber(st['q.s'] or '-1e300')
local quotaUsed = tonumber(st['q.u'] or '0')

-- the quota window of the request (start ms, end ms, limit), or nil. A new period resets the counter: a later one, or
-- one that started earlier and is not over when the counted one started (the plan's period or offset changed); a
-- period that ended when the counted one started is not new (a request that read the clock just before midnight
-- counts in the new day), and a changed limit alone applies to the counter as it is. With onlyFirst (settle), only a
-- state without a period starts one: a settlement may carry a member's earlier plan.
local function window(startS, endS, limitS, onlyFirst)
  if startS == nil or startS == '' then
    return nil, false
  end
  local w = { start = tonumber(startS), ['end'] = tonumber(endS), limit = tonumber(limitS) }
  local enters
  if onlyFirst then
    enters = st['q.s'] == nil
  else
    enters = w.start > quotaStart or (w.start < quotaStart and w['end'] > quotaStart)
  end
  if enters then
    quotaStart = w.start
    quotaUsed = 0
    put('q.s', startS)
    put('q.u', '0')
    return w, true
  end
  return w, false
end

local function today()
  return math.floor(now / 1000 / DAY_MS)
end

local function countUsage(day, units, counter)
  if reportDays == 0 then
    return
  end
  local last = tonumber(redis.call('HGET', D, 'last') or '-1')
  if last == day then
    redis.call('HINCRBY', D, day, units)
    redis.call('HSET', D, day .. 'q', num(counter))
  elseif last > day then -- a request that read the clock before the latest one: its own day, if kept
    if redis.call('HEXISTS', D, day) == 1 then
      redis.call('HINCRBY', D, day, units)
    end
    return
  else
    local fields = redis.call('HKEYS', D)
    for _, f in ipairs(fields) do
      local d = tonumber(string.match(f, '^%-?%d+'))
      if d ~= nil and d < day - reportDays then
        redis.call('HDEL', D, f)
      end
    end
    redis.call('HSET', D, day, units, day .. 'q', num(counter), 'last', day)
  end
  local ttl = (day + 1 + reportDays) * DAY_MS - math.floor(now / 1000)
  redis.call('PEXPIRE', D, math.max(1000, ttl))
end

local function takeBackUsage(day, units, counter)
  if reportDays == 0 or redis.call('HEXISTS', D, day) == 0 then
    return
  end
  local used = tonumber(redis.call('HGET', D, day))
  redis.call('HSET', D, day, math.max(0, used - units))
  if counter ~= nil and tonumber(redis.call('HGET', D, 'last') or '-1') == day then
    redis.call('HSET', D, day .. 'q', num(counter))
  end
end

-- writes the changed fields and keeps the state until its buckets are full, its allowances lapsed and its
-- quota period is over (a counter below 0 after an extension must last the period too)
local function store()
  local fields = {}
  for f, _ in pairs(dirty) do
    fields[#fields + 1] = f
    fields[#fields + 1] = st[f]
  end
  if #fields == 0 then
    return
  end
  redis.call('HSET', S, unpack(fields))
  local nowMs = math.floor(now / 1000)
  local untilMs = nowMs
  for f, capS in pairs(st) do
    local id = string.match(f, '^b%.(.*)%.c$')
    if id ~= nil then
      local p = 'b.' .. id .. '.'
      local cap, fill, tokens = tonumber(capS), tonumber(st[p .. 'f']), tonumber(st[p .. 't'])
      if tokens < cap then
        untilMs = math.max(untilMs, nowMs + math.ceil((cap - tokens) * fill / cap / 1000000) + 1)
      end
    end
  end
  if leased > 0 then
    untilMs = math.max(untilMs, math.floor(leaseUntil / 1000) + 1)
  end
  if quotaUsed ~= 0 and st['q.e'] ~= nil then -- the end of the period the counter belongs to (not of an earlier one)
    untilMs = math.max(untilMs, tonumber(st['q.e']))
  end
  redis.call('PEXPIRE', S, math.max(1, untilMs - nowMs))
end

local function notePeriodEnd(w)
  if w ~= nil and w.start == quotaStart and st['q.e'] ~= tostring(w['end']) then
    put('q.e', tostring(w['end']))
  end
end

if op == 'decide' then
  -- ARGV: 4 cost, 5-7 plan bucket (id, capacity, nanos to fill), 8-10 method bucket, 11-13 quota (start, end, limit),
  -- 14 the deadline in Redis's time (us) or '': a decision that runs after it (its caller stopped waiting and gave the
  -- request its plan's fail mode) changes nothing, so a request that was not served is never charged
  if ARGV[14] ~= nil and ARGV[14] ~= '' and (ARGV[2] == '' and now or serverNow()) > tonumber(ARGV[14]) then
    return { -1 }
  end
  local cost = tonumber(ARGV[4])
  local w, reshaped = window(ARGV[11], ARGV[12], ARGV[13])
  local p = bucket(ARGV[5], ARGV[6], ARGV[7])
  local m = bucket(ARGV[8], ARGV[9], ARGV[10])
  reshaped = reshaped or (p ~= nil and p.reshaped) or (m ~= nil and m.reshaped)
  refill(p)
  capForAllowances(p)
  refill(m)
  local verdict, retry = 0, 0
  if w ~= nil and quotaUsed + cost > w.limit then
    verdict = 3
  elseif m ~= nil and m.tokens < cost then
    verdict = 1
    retry = nanosFor(m, cost - m.tokens)
  elseif p ~= nil and p.tokens < cost then
    verdict = 2
    retry = nanosFor(p, cost - p.tokens)
  end
  if verdict == 0 then
    if m ~= nil then m.tokens = m.tokens - cost end
    if p ~= nil then p.tokens = p.tokens - cost end
    if w ~= nil then
      quotaUsed = quotaUsed + cost
      put('q.u', num(quotaUsed))
    end
    countUsage(today(), cost, w == nil and 0 or quotaUsed)
  end
  local answer = { verdict,
    p == nil and 0 or math.floor(p.tokens), p == nil and 0 or nanosFor(p, p.cap - p.tokens),
    m == nil and 0 or math.floor(m.tokens), m == nil and 0 or nanosFor(m, m.cap - m.tokens),
    quotaUsed, retry }
  if verdict == 0 or reshaped then -- a rejection otherwise leaves the state as it was
    save(p)
    save(m)
    notePeriodEnd(w)
    store()
  end
  return answer
end

if op == 'refund' then
  -- ARGV: 4 cost, 5 plan bucket id, 6 method bucket id, 7 quota period start, 8-10 which limits (1 or 0)
  local cost = tonumber(ARGV[4])
  if ARGV[8] == '1' then
    local p = stored(ARGV[5])
    if p ~= nil then
      refill(p)
      p.tokens = math.min(p.cap, p.tokens + cost)
      capForAllowances(p)
      save(p)
    end
  end
  if ARGV[9] == '1' then
    local m = stored(ARGV[6])
    if m ~= nil then
      refill(m)
      m.tokens = math.min(m.cap, m.tokens + cost)
      save(m)
    end
  end
  if ARGV[10] == '1' then
    local hasQuota = ARGV[7] ~= ''
    if hasQuota and tonumber(ARGV[7]) == quotaStart then
      quotaUsed = math.max(0, quotaUsed - cost)
      put('q.u', num(quotaUsed))
    end
    takeBackUsage(today(), cost, hasQuota and quotaUsed or nil)
  end
  store()
  return 1
end

if op == 'settle' then
  -- ARGV: 4 batch id, 5 spent, 6 returned, 7 wanted, 8 hold (us), 9-11 plan bucket, 12-14 quota
  local batch = ARGV[4]
  local recent = st['st'] or ''
  if string.find(' ' .. recent .. ' ', ' ' .. batch .. ' ', 1, true) then
    return { 0, 0, 0, 0 } -- this batch reached the key before (a retry): nothing returned twice, nothing granted
  end
  local ids = {}
  for id in string.gmatch(recent, '%S+') do ids[#ids + 1] = id end
  while #ids >= 4 do table.remove(ids, 1) end
  ids[#ids + 1] = batch
  put('st', table.concat(ids, ' '))
  local spent, returned, wanted, hold = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
  local w = window(ARGV[12], ARGV[13], ARGV[14], true)
  -- a settlement made under another shape of the plan throttle (the plan changed since, or this member has not heard
  -- of the change yet) gives its units back to the bucket as it is now, and is granted nothing
  local p = stored(ARGV[9])
  local sameShape = p == nil or (st[p.p .. 'c'] == ARGV[10] and st[p.p .. 'f'] == ARGV[11])
  if p == nil then
    p = bucket(ARGV[9], ARGV[10], ARGV[11])
  end
  if p ~= nil then
    if now > leaseUntil then
      leased = 0
    end
    leased = math.max(0, leased - spent - returned)
    refill(p)
    capForAllowances(p)
  end
  local samePeriod = w ~= nil and w.start == quotaStart
  local day = today()
  if returned > 0 then
    if p ~= nil then
      p.tokens = math.min(p.cap, p.tokens + returned)
      capForAllowances(p)
    end
    if samePeriod then
      quotaUsed = math.max(0, quotaUsed - returned)
      put('q.u', num(quotaUsed))
    end
    if w == nil or samePeriod then -- units of a period that is over stay in that period's days
      takeBackUsage(day, returned, w ~= nil and quotaUsed or nil)
    end
  end
  local tokensLeft = p == nil and math.huge or math.floor(p.tokens)
  local quotaLeft = math.huge
  if w ~= nil then
    quotaLeft = samePeriod and (w.limit - quotaUsed) or 0
  end
  local granted = 0
  if sameShape and wanted > 0 and tokensLeft >= 256 and quotaLeft >= 1000 then -- AllowancePolicy: an eighth, nothing near a limit
    granted = math.min(wanted, math.floor(tokensLeft / 8), math.floor(quotaLeft / 8))
  end
  if granted > 0 then
    if p ~= nil then
      p.tokens = p.tokens - granted
      leased = leased + granted
      leaseUntil = math.max(leaseUntil, now + hold)
    end
    if w ~= nil then
      quotaUsed = quotaUsed + granted
      put('q.u', num(quotaUsed))
    end
    countUsage(day, granted, w == nil and 0 or quotaUsed)
  end
  put('l.t', num(leased))
  put('l.d', num(leaseUntil))
  save(p)
  notePeriodEnd(w)
  store()
  return { granted, p == nil and 0 or math.floor(p.tokens), p == nil and 0 or nanosFor(p, p.cap - p.tokens),
           w == nil and 0 or quotaUsed }
end

if op == 'quota' then
  -- ARGV: 4-6 quota (start, end, limit), 7 'set' or 'add', 8 value
  local w = window(ARGV[4], ARGV[5], ARGV[6])
  if w.start == quotaStart then
    if ARGV[7] == 'set' then
      quotaUsed = tonumber(ARGV[8])
    else
      quotaUsed = quotaUsed + tonumber(ARGV[8])
    end
    put('q.u', num(quotaUsed))
    countUsage(today(), 0, quotaUsed)
  end
  notePeriodEnd(w)
  store()
  return quotaUsed
end

return redis.error_reply('usage-plans: unknown operation ' .. tostring(op))
