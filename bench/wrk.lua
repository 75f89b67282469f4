-- wrk script for bench/run. The mode comes from the environment:
--   BENCH_MODE=read  (default) the URL as given, no per-request Lua (static request)
--   BENCH_MODE=deep  GET BENCH_PATH?limit=50&cursor=<random line of BENCH_CURSORS>
--   BENCH_MODE=post  POST {"body": "..."} with a varying body to the URL, Authorization: Bearer BENCH_TOKEN;
--                    counts response statuses (only 201 is an acknowledged comment)
-- done() writes shell-style KEY=VALUE lines to BENCH_OUT: requests, duration_us, rps, bytes, errors_*,
-- lat_*_us (wrk's latency histogram; with 1 connection that is the per-request latency) and status_NNN.
local mode = os.getenv("BENCH_MODE") or "read"
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

if mode == "deep" then
  local cursors = {}
  function init(args)
    for line in io.lines(os.getenv("BENCH_CURSORS")) do
      if #line > 0 then table.insert(cursors, line) end
    end
    math.randomseed(tid * 7919)
    base = os.getenv("BENCH_PATH") .. "?limit=50&cursor="
    -- BENCH_SEQUENTIAL=N (the number of wrk threads): thread t takes lines t, t+N, t+2N, ... so that no
    -- cursor is asked twice until the list runs out (then it wraps; done() reports that).
    step = tonumber(os.getenv("BENCH_SEQUENTIAL") or "0")
    idx = tid - step
    wraps = 0
  end
  function request()
    if step > 0 then
      idx = idx + step
      if idx > #cursors then idx = tid; wraps = wraps + 1 end
      return wrk.format("GET", base .. cursors[idx])
    end
    return wrk.format("GET", base .. cursors[math.random(#cursors)])
  end
end

if mode == "post" then
  local words = { "council", "budget", "vote", "*really*", "people", "should", "read", "the", "report",
                  "again", "water", "prices", "why", "**not**", "agree", "source", "today", "minister" }
  function init(args)
    statuses = {}
    n = 0
    headers = { ["Content-Type"] = "application/json",
                ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") }
  end
  function request()
    n = n + 1
    local parts = {}
    for i = 1, 8 + (n * 7 + tid) % 40 do parts[i] = words[(n * 31 + i * 17 + tid) % #words + 1] end
    local body = string.format('{"body":"Load comment %d-%d: %s."}', tid, n, table.concat(parts, " "))
    return wrk.format("POST", nil, headers, body)
  end
  function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  local function kv(k, v) out:write(string.format("%s=%s\n", k, tostring(v))) end
  local secs = summary.duration / 1e6
  kv("requests", summary.requests)
  kv("duration_us", summary.duration)
  kv("rps", string.format("%.1f", summary.requests / secs))
  kv("bytes", summary.bytes)
  kv("errors_connect", summary.errors.connect)
  kv("errors_read", summary.errors.read)
  kv("errors_write", summary.errors.write)
  kv("errors_status", summary.errors.status)  -- responses outside 2xx/3xx
  kv("errors_timeout", summary.errors.timeout)
  kv("lat_mean_us", string.format("%.1f", latency.mean))
  kv("lat_p50_us", latency:percentile(50))
  kv("lat_p90_us", latency:percentile(90))
  kv("lat_p99_us", latency:percentile(99))
  kv("lat_max_us", latency.max)
  if mode == "deep" then
    local w = 0
    for _, t in ipairs(threads) do w = w + (t:get("wraps") or 0) end
    kv("cursor_wraps", w)
  end
  if mode == "post" then
    local total = {}
    for _, t in ipairs(threads) do
      local s = t:get("statuses")
      if s then
        for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
      end
    end
    local counted = 0
    for k, v in pairs(total) do
      kv("status_" .. tostring(k), v)
      counted = counted + v
    end
    kv("responses_counted", counted)
  end
  out:close()
end
