-- wrk script of `scripts/bench http`: POST /v1/events with one new ServiceLogged event per
-- request (benchmarks/wrk/service_event.lua says how each is new and valid), so ledgerd answers
-- 201 once it is durable. Any other answer counts as an error in wrk's summary (errors_status).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)")
dofile(dir .. "report.lua")
dofile(dir .. "service_event.lua")

function request()
  return wrk.format("POST", "/v1/events", post_headers, next_service_event())
end
