-- wrk script of bench/interop: POSTs the bodies of BENCH_BODIES (one JSON body per line, e.g. analyze.jsonl from
-- bench/interop/bodies.mjs: Perspective comments:analyze with one attribute) to the URL given to wrk, e.g.
--   wrk -t2 -c64 -d10s -s bench/interop/analyze.lua "http://127.0.0.1:PORT/v1alpha1/comments:analyze?key=$KEY"
-- rotating through them (each wrk thread from its own offset). Without BENCH_BODIES: GET the URL (a reference run).
-- Environment:
--   BENCH_BODIES  file of request bodies (at least 200 lines)
--   BENCH_AUTH    optional Authorization header value ("Bearer …") for Tribune's own API (the reference run)
--   BENCH_EXPECT  optional Lua pattern every 200 body must match, e.g. the Perspective response's
--                 '"TOXICITY"%s*:%s*{%s*"summaryScore"%s*:%s*{%s*"value"%s*:%s*[%d.]'
--   BENCH_OUT     where done() writes KEY=VALUE lines: requests, duration_us, rps, bytes, errors_*, lat_*_us (wrk's
--                 histogram; with 1 connection that is the per-request latency), status_NNN, non_200, mismatches,
--                 and `sample`: the first unexpected answer (status and up to 200 bytes), so a failure is loud.
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  mismatches = 0
  sample = ""
  bodies = {}
  expect = os.getenv("BENCH_EXPECT")
  local file = os.getenv("BENCH_BODIES")
  if file and #file > 0 then
    for line in io.lines(file) do
      if #line > 0 then bodies[#bodies + 1] = line end
    end
    assert(#bodies >= 200, "BENCH_BODIES: fewer than 200 bodies in " .. file)
  end
  headers = { ["Content-Type"] = "application/json" }
  local auth = os.getenv("BENCH_AUTH")
  if auth and #auth > 0 then headers["Authorization"] = auth end
  idx = (tid * 101) % math.max(1, #bodies)
end

function request()
  if #bodies == 0 then return wrk.format("GET", nil, headers) end
  idx = idx % #bodies + 1
  return wrk.format("POST", nil, headers, bodies[idx])
end

local function note(status, body)
  if sample == "" then
    sample = tostring(status) .. " " .. string.sub(body or "", 1, 200):gsub("[%c=]", " ")
  end
end

function response(status, hdrs, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 then
    note(status, body)
  elseif expect and not string.find(body, expect) then
    mismatches = mismatches + 1
    note(status, body)
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
  kv("errors_status", summary.errors.status)
  kv("errors_timeout", summary.errors.timeout)
  kv("lat_mean_us", string.format("%.1f", latency.mean))
  kv("lat_p50_us", latency:percentile(50))
  kv("lat_p90_us", latency:percentile(90))
  kv("lat_p99_us", latency:percentile(99))
  kv("lat_max_us", latency.max)
  local total, bad, first = {}, 0, ""
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses") or {}) do total[k] = (total[k] or 0) + v end
    bad = bad + (t:get("mismatches") or 0)
    local s = t:get("sample") or ""
    if first == "" then first = s end
  end
  local non200 = 0
  for k, v in pairs(total) do
    kv("status_" .. tostring(k), v)
    if k ~= 200 then non200 = non200 + v end
  end
  kv("non_200", non200)
  kv("mismatches", bad)
  kv("sample", first)
  out:close()
end
