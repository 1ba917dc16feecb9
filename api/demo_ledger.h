// The demo ledger: a small October 2026 of the programme (the brief's two branches, a dozen
// volunteers paired with elders, a month of verified visits, the partners, a directed donation,
// the government purchase of 便民服务挂袋, a charity sale, aid and redemptions), recorded
// through the API itself as one all-or-nothing batch so that it obeys every rule.
#pragma once

#include <string>

#include "api/handler.h"

namespace ledger::api {

struct DemoSummary {
  uint64_t events = 0;
};

// Posts the demo events with `admin_key`. REQUIRES: an empty ledger. Returns the problem body
// of the refused batch as an InvalidArgument status if the rules refuse it (a bug in the demo).
Result<DemoSummary> LoadDemoLedger(Handler& handler, const std::string& admin_key);

}  // namespace ledger::api
