-- wrk script of bench/events.sh: sends pre-made raw HTTP requests, as fast
-- as wrk can or at a constant rate (wrk alone has none).
--   wrk -t1 -cN ... -s wrk_requests.lua URL -- FILE MODE RATE
-- FILE: "<length>\n<raw HTTP/1.1 request>" each (bench/events_load.py).
-- MODE once: each request is sent once, in order; the thread stops when
-- they run out (a signed webhook sent twice is a replay, refused). One
-- thread only: two would send the same requests. MODE repeat: the first
-- request again and again.
-- RATE: requests a second, 0 for as fast as the server answers. Each
-- request takes the next slot of a fixed schedule; a connection waits for
-- its slot (wrk's delay(), in whole milliseconds, so requests leave in
-- bursts of RATE/1000). When the server falls behind, requests go as soon
-- as a connection is free until the schedule is caught up: the rate offered
-- does not drop with the server's speed while connections are free.
-- Latency is wrk's, from each request's send.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } wrk_requests_timespec;
  int clock_gettime(int clock, wrk_requests_timespec *ts);
]]
local ts = ffi.new("wrk_requests_timespec")
local CLOCK_MONOTONIC = 1

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local requests = {}
local once = true
local sent = 0
local interval_ms
local next_slot

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local data = f:read("*a")
  f:close()
  local pos = 1
  while pos <= #data do
    local nl = data:find("\n", pos, true)
    local len = tonumber(data:sub(pos, nl - 1))
    requests[#requests + 1] = data:sub(nl + 1, nl + len)
    pos = nl + len + 1
  end
  assert(#requests > 0, "no request in " .. args[1])
  once = args[2] == "once"
  if once then
    response = function()
      if sent >= #requests then wrk.thread:stop() end
    end
  end
  local rate = tonumber(args[3]) or 0
  -- wrk asks whether delay() exists after init: only a paced run has one.
  if rate > 0 then
    interval_ms = 1000 / rate
    delay = function()
      local now = now_ms()
      next_slot = next_slot or now
      local wait = next_slot - now
      next_slot = next_slot + interval_ms
      return wait > 0 and wait or 0
    end
  end
end

-- wrk calls request() once before the run to check it: in "once" mode
-- that first request is never sent.
function request()
  if not once then return requests[1] end
  sent = sent + 1
  return requests[math.min(sent, #requests)]
end
