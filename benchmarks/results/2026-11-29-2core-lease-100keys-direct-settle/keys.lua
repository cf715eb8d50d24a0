-- wrk script of the HTTP benchmark (benchmarks/run-http.sh): every request carries an x-api-key header.
-- The requests are formatted once per thread in init(), so request() costs the same small amount in every mode
-- and the client's share of the two cores does not differ between modes.
--
--   wrk ... -s keys.lua http://127.0.0.1:PORT/test/pets -- one        key 0 on every request
--   wrk ... -s keys.lua http://127.0.0.1:PORT/test/pets -- many 10000 keys 0..9999 round-robin
--   wrk ... -s keys.lua http://127.0.0.1:PORT/test/pets -- mix        key 0 and the slow key alternately (half 429)
--   wrk ... -s keys.lua http://127.0.0.1:PORT/test/pets -- groups 10000 9 2
--                                                    keys 0..9999 round-robin, each sent 9 times in a row; thread k of
--                                                    the 2 (the last argument: wrk's -t) starts k/2 of the way through
--
-- Key values match io.usageplans.benchmarks.BenchCatalogs.keyValue(i). done() prints one RESULT line.

local threads = 0
local reqs = {}
local count = 0
local nextIndex = 1
local group = 1
local sent = 0

local function key(i)
  return string.format("bench-key-%010d-0123456789", i)
end

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  local mode = args[1] or "one"
  local path = wrk.path
  if mode == "mix" then
    reqs[1] = wrk.format("GET", path, { ["x-api-key"] = key(0) })
    reqs[2] = wrk.format("GET", path, { ["x-api-key"] = "bench-slow-key-0123456789" })
  elseif mode == "many" then
    local n = tonumber(args[2] or "10000")
    for i = 0, n - 1 do
      reqs[i + 1] = wrk.format("GET", path, { ["x-api-key"] = key(i) })
    end
  else
    reqs[1] = wrk.format("GET", path, { ["x-api-key"] = key(0) })
  end
  count = #reqs
  if mode == "groups" then
    -- the same key several times in a row; the threads spread evenly over the list, so that every key's visits are
    -- evenly spaced in time (thread k of t starts at k * n / t)
    local n = tonumber(args[2] or "10000")
    for i = 0, n - 1 do
      reqs[i + 1] = wrk.format("GET", path, { ["x-api-key"] = key(i) })
    end
    count = n
    group = tonumber(args[3] or "9")
    local t = tonumber(args[4] or "2")
    nextIndex = (((offset or 0) * math.floor(count / t)) % count) + 1
    request = groupRequest
    return
  end
  -- threads start at different places of the list: thread k at k * n / 2 (offset is set by setup())
  nextIndex = (((offset or 0) * math.floor(count / 2)) % count) + 1
end

function request()
  local r = reqs[nextIndex]
  nextIndex = nextIndex + 1
  if nextIndex > count then
    nextIndex = 1
  end
  return r
end

function groupRequest()
  local r = reqs[nextIndex]
  sent = sent + 1
  if sent >= group then
    sent = 0
    nextIndex = nextIndex + 1
    if nextIndex > count then
      nextIndex = 1
    end
  end
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
