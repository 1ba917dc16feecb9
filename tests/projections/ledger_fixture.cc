#include "tests/projections/ledger_fixture.h"

#include <cstdio>
#include <cstdlib>

#include "eventstore/ledger_replay.h"

namespace ledger::testing {
namespace {
[[noreturn]] void Die(const Status& status, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  std::abort();
}
}  // namespace

EventDraft Draft(std::string id, std::string_view type, std::string_view fields,
                 int64_t occurred_at_us) {
  EventDraft draft;
  draft.id = std::move(id);
  draft.type = std::string(type);
  draft.occurred_at_us = occurred_at_us;
  draft.actor = "key-test";
  draft.payload = Payload(type, fields);
  return draft;
}

std::map<std::string, std::string> AllRows(const ReadModelStore& rows) {
  std::map<std::string, std::string> out;
  Status status = rows.ForEachRow([&](std::string_view key, std::string_view value) {
    out.emplace(key, value);
    return true;
  });
  if (!status.ok()) Die(status, "read rows");
  return out;
}

LedgerFixture::LedgerFixture(std::string path) {
  decider_ = std::make_shared<LedgerDecider>();
  EventStoreOptions options;
  options.path = std::move(path);
  options.decider = decider_;
  auto store = EventStore::Open(options);
  if (!store.ok()) Die(store.status(), "open store");
  store_ = std::move(store).value();
  if (Status status = decider_->Prime(*store_); !status.ok()) Die(status, "prime decider");
  auto rows = store_->OpenReadModel(kLedgerReadModel);
  if (!rows.ok()) Die(rows.status(), "open read model");
  rows_ = std::move(rows).value();
}

Projector& LedgerFixture::StartProjector(ProjectorOptions options) {
  auto projector = Projector::Start(*store_, *rows_, options);
  if (!projector.ok()) Die(projector.status(), "start projector");
  projector_ = std::move(projector).value();
  return *projector_;
}

}  // namespace ledger::testing
