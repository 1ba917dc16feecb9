-- wrk script of `scripts/bench http`: POST /v1/events with one ServiceLogged event per request.
-- Each event is valid and new: its id is "svc-<BENCH_RUN_ID>-<wrk thread>-<counter>" (the
-- counter is per thread), and its volunteer a random even member "m-<2k>" of the
-- BENCH_MEMBERS loaded by benchmarks/http_load.cc (even ids are active volunteers), so the
-- domain rules accept it and ledgerd answers 201 once it is durable. Any other answer counts
-- as an error in wrk's summary (errors_status).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local members = tonumber(os.getenv("BENCH_MEMBERS") or "1000000")
local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local headers = {
  ["Authorization"] = "Bearer " .. (os.getenv("LEDGER_ADMIN_KEY") or ""),
  ["Content-Type"] = "application/json",
}

local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

local counter = 0
local prefix
function init(args)
  math.randomseed(os.time() * 1000 + thread_index)
  prefix = "svc-" .. run_id .. "-" .. thread_index .. "-"
end

function request()
  counter = counter + 1
  local service_id = prefix .. counter
  local volunteer = 2 * math.random(0, members / 2 - 1)
  local body = '{"id":"' .. service_id .. '-log","type":"ServiceLogged",' ..
    '"occurred_at":"2026-02-03T09:30:00+08:00","data":{"service_id":"' .. service_id ..
    '","volunteer_id":"m-' .. volunteer .. '","kind":"home_visit",' ..
    '"started_at":"2026-02-03T09:30:00+08:00","minutes":90}}'
  return wrk.format("POST", "/v1/events", headers, body)
end
