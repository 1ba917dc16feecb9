// The October 2026 story of the programme, as events (see ledger_scenario_test.cc for the
// figures it must produce). Shared by the domain, projection and API tests.
#pragma once

#include <string>
#include <vector>

#include "tests/domain/event_builder.h"

namespace ledger::testing {

struct ScenarioEvent {
  std::string id;
  std::string type;
  std::string fields;  // FlatBuffers JSON body (event_builder.h)
  int64_t occurred_at_us;
};

// The events of the story, in order. Event ids are "ev-<what>"; the aid payment is "ev-x-aid1".
std::vector<ScenarioEvent> OctoberScenario();

// The scenario as clients post it (POST /v1/events): without the certificate, which only its
// route records (POST /v1/members/{id}/certificates), and so without its revocation.
std::vector<ScenarioEvent> OctoberScenarioForClients();

// Runs OctoberScenario() through `driver`, aborting if any event is refused.
void RunOctoberScenario(LedgerDriver& driver);

}  // namespace ledger::testing
