-- wrk script of `scripts/bench http`: GET requests spread over BENCH_MEMBERS (1,000,000) member
-- ids, "m-0" .. "m-<BENCH_MEMBERS - 1>" (benchmarks/http_load.cc), picked uniformly at random
-- by each wrk thread, with BENCH_GET_KEY as a Bearer token: scripts/bench http sets it to the
-- admin key (LEDGER_ADMIN_KEY) or to a key of the role LEDGER_BENCH_GET_ROLE names. An admin's
-- reads show personal fields (a vault read) and are written to the access log; an auditor's
-- show the same figures without them.
--
-- The path is BENCH_PATH_PREFIX followed by the id: "/v1/members/m-" for ledgerd, and for the
-- nginx baseline a static file plus a query string nginx ignores ("/member.json?m-"), so that
-- wrk does the same work per request (a random id, a fresh request, the same header) against
-- both servers and its own cost on the shared cores is the same.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")

local members = tonumber(os.getenv("BENCH_MEMBERS") or "1000000")
local prefix = os.getenv("BENCH_PATH_PREFIX") or "/v1/members/m-"
local key = os.getenv("BENCH_GET_KEY") or os.getenv("LEDGER_ADMIN_KEY") or ""
local headers = { ["Authorization"] = "Bearer " .. key }

local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

function init(args)
  -- A different sequence per thread (thread_index is set before init runs).
  math.randomseed(os.time() * 1000 + thread_index)
end

function request()
  return wrk.format("GET", prefix .. math.random(0, members - 1), headers)
end
