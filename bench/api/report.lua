-- Shared by the wrk scripts of bench/api: auth headers and a done() that prints one parseable line.
-- wrk reports latency in microseconds; this prints milliseconds.

local function required_env(name)
  local v = os.getenv(name)
  if v == nil or v == "" then error(name .. " is not set") end
  return v
end

bench_env = required_env

wrk.headers["Authorization"] = "Bearer " .. required_env("BENCH_API_KEY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d non2xx3xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
