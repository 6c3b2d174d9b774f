-- wrk's script for the request benchmark (bench/wrk.ts): GET /counter, each request with a session cookie
-- from the file given after `--` (one Cookie header value a line), taken round-robin: with one thread and
-- at least as many sessions as connections, no two requests in flight share a session. Counts the answers
-- by status, and prints the figures as one JSON line when done.

local cookies = {}
local next_cookie = 0
-- A global, so that done() can read it from the thread with thread:get.
statuses = {}

function init(args)
  if args[1] ~= nil then
    for line in io.lines(args[1]) do
      if line ~= "" then cookies[#cookies + 1] = line end
    end
  end
end

function request()
  if #cookies == 0 then return wrk.format("GET", "/counter") end
  next_cookie = next_cookie % #cookies + 1
  return wrk.format("GET", "/counter", { Cookie = cookies[next_cookie] })
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  local non2xx = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      if status < 200 or status > 299 then
        non2xx[#non2xx + 1] = string.format('"%d":%d', status, count)
      end
    end
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationMicros":%d,"p50Micros":%.1f,"p99Micros":%.1f,"non2xx":{%s},' ..
      '"socketErrors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), table.concat(non2xx, ","),
    errors.connect, errors.read, errors.write, errors.timeout))
end
