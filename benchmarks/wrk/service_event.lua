-- Shared by the POST scripts of `scripts/bench http` (post_service.lua, post_batch.lua): each wrk
-- thread's index (set in setup, before init), its random sequence, and new ServiceLogged events.
-- An event's id is "svc-<BENCH_RUN_ID>-<wrk thread>-<n>-log" with n counted per thread, so ids
-- never repeat within a run or across runs; its volunteer is a random even member "m-<2k>" of the
-- BENCH_MEMBERS loaded by benchmarks/http_load.cc (even ids are active volunteers), so the domain
-- rules accept it.
local members = tonumber(os.getenv("BENCH_MEMBERS") or "1000000")
local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())

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

-- The JSON of the thread's next new event.
function next_service_event()
  counter = counter + 1
  local service_id = prefix .. counter
  local volunteer = 2 * math.random(0, members / 2 - 1)
  return '{"id":"' .. service_id .. '-log","type":"ServiceLogged",' ..
    '"occurred_at":"2026-02-03T09:30:00+08:00","data":{"service_id":"' .. service_id ..
    '","volunteer_id":"m-' .. volunteer .. '","kind":"home_visit",' ..
    '"started_at":"2026-02-03T09:30:00+08:00","minutes":90}}'
end

post_headers = {
  ["Authorization"] = "Bearer " .. (os.getenv("LEDGER_ADMIN_KEY") or ""),
  ["Content-Type"] = "application/json",
}
