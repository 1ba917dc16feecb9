// A real ledger for tests: an EventStore on disk with the LedgerDecider, optionally a Projector.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "eventstore/event_store.h"
#include "eventstore/ledger_decider.h"
#include "eventstore/read_model_store.h"
#include "projections/projector.h"
#include "tests/domain/event_builder.h"

namespace ledger::testing {

// A draft for `type` with FlatBuffers-JSON `fields`, stream left for the decider to resolve.
EventDraft Draft(std::string id, std::string_view type, std::string_view fields,
                 int64_t occurred_at_us);

// Every row of a read model, by key.
std::map<std::string, std::string> AllRows(const ReadModelStore& rows);

class LedgerFixture {
 public:
  // Opens (or reopens) the store at `path` with a primed decider.
  explicit LedgerFixture(std::string path);
  EventStore& store() { return *store_; }
  ReadModelStore& rows() { return *rows_; }
  // Starts the projector on the "ledger" read model.
  Projector& StartProjector(ProjectorOptions options = {});
  void StopProjector() { projector_.reset(); }
  Projector& projector() { return *projector_; }

 private:
  std::shared_ptr<LedgerDecider> decider_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<ReadModelStore> rows_;
  std::unique_ptr<Projector> projector_;
};

}  // namespace ledger::testing
