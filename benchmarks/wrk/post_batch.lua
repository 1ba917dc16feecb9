-- wrk script of `scripts/bench http`: POST /v1/events/batch with BENCH_BATCH_EVENTS (1000, the
-- API's cap) new ServiceLogged events per request (benchmarks/wrk/service_event.lua says how each
-- is new and valid), so ledgerd answers 201 once the whole batch is durable. Any other answer
-- counts as an error in wrk's summary (errors_status). Each body is about 330 KB.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)")
dofile(dir .. "report.lua")
dofile(dir .. "service_event.lua")

local batch_events = tonumber(os.getenv("BENCH_BATCH_EVENTS") or "1000")

function request()
  local events = {}
  for i = 1, batch_events do events[i] = next_service_event() end
  local body = '{"events":[' .. table.concat(events, ",") .. ']}'
  return wrk.format("POST", "/v1/events/batch", post_headers, body)
end
