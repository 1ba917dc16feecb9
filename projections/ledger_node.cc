#include "projections/ledger_node.h"

#include <chrono>

#include "domain/event_payload.h"
#include "eventstore/ledger_replay.h"

namespace ledger {
namespace {
double SecondsSince(std::chrono::steady_clock::time_point* start) {
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - *start).count();
  *start = now;
  return seconds;
}

// The member whose own personal records `event` changes: new fields of hers (MemberRegistered,
// MemberUpdated with sealed fields) or her erasure. "" for every other event.
std::string_view MemberRecordsChangedBy(const StoredEvent& event) {
  if (event.type != "MemberRegistered" && event.type != "MemberUpdated" &&
      event.type != "PersonalDataErased") {
    return {};
  }
  const events::EventData* data = VerifyEventData(event.payload);
  if (data == nullptr) return {};
  if (const auto* member = data->data_as_MemberRegistered()) {
    return member->personal() != nullptr ? member->member_id()->string_view() : "";
  }
  if (const auto* update = data->data_as_MemberUpdated()) {
    return update->personal() != nullptr ? update->member_id()->string_view() : "";
  }
  if (const auto* erased = data->data_as_PersonalDataErased()) {
    return erased->member_id()->string_view();
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<LedgerNode>> LedgerNode::Open(LedgerNodeOptions options) {
  std::unique_ptr<LedgerNode> node(new LedgerNode());
  node->decider_ = std::make_shared<LedgerDecider>();
  options.store.path = options.data_dir;
  options.store.decider = node->decider_;
  LedgerNodeStartup& startup = node->startup_;
  auto clock = std::chrono::steady_clock::now();
  auto store = EventStore::Open(options.store);
  if (!store.ok()) return store.status();
  node->store_ = std::move(store).value();
  startup.open_store = SecondsSince(&clock);
  if (options.personal_key) {
    node->vault_ = std::make_unique<PersonalVault>(*node->store_, *options.personal_key);
  }
  auto rows = node->store_->OpenReadModel(kLedgerReadModel);
  if (!rows.ok()) return rows.status();
  node->rows_ = std::move(rows).value();
  // The rows are decoded once; the write side gets a copy, far cheaper than a second decode.
  LedgerState loaded;
  LedgerState write_side;
  LedgerLoadTimes load_times;
  Result<Position> checkpoint = LoadLedgerStates(*node->rows_, loaded, write_side, &load_times);
  if (!checkpoint.ok()) return checkpoint.status();
  SecondsSince(&clock);
  startup.load_rows = load_times.rows;
  startup.copy_state = load_times.copy;
  startup.derive_indexes = load_times.indexes;
  const Position head = node->store_->GetHead().next;
  if (Status status = node->decider_->Prime(*node->store_, std::move(write_side), *checkpoint);
      !status.ok()) {
    return status;
  }
  startup.replay_tail = SecondsSince(&clock);
  startup.tail_events = head.value - checkpoint->value;
  auto projector = Projector::Start(*node->store_, *node->rows_, std::move(loaded), *checkpoint,
                                    options.projector);
  if (!projector.ok()) return projector.status();
  node->projector_ = std::move(projector).value();
  if (PersonalVault* vault = node->vault_.get()) {
    // What the vault keeps of a member's records goes once a change to them is applied, before
    // a read waiting for that change runs. Set before Open returns, so before any read.
    node->projector_->OnApplied([vault](const StoredEvent& event) {
      const std::string_view member = MemberRecordsChangedBy(event);
      if (!member.empty()) vault->Forget(member);
    });
  }
  if (options.signing_key != nullptr) {
    auto signer = CheckpointSigner::Start(*node->store_, options.signing_key, options.checkpoints);
    if (!signer.ok()) return signer.status();
    node->signer_ = std::move(signer).value();
  }
  return node;
}

LedgerNode::~LedgerNode() {
  vault_.reset();
  signer_.reset();
  projector_.reset();
  rows_.reset();
  store_.reset();
}

}  // namespace ledger
