// LedgerNode: one running ledger: the event store on disk with the domain rules in its writer
// (LedgerDecider) and the projector serving reads. What ledgerd and the tests start.
//
// Thread-safety: safe for concurrent use (see EventStore and Projector).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "eventstore/checkpoint_signer.h"
#include "eventstore/event_store.h"
#include "eventstore/ledger_decider.h"
#include "eventstore/personal_vault.h"
#include "eventstore/read_model_store.h"
#include "projections/projector.h"

namespace ledger {

struct LedgerNodeOptions {
  std::string data_dir;     // the RocksDB directory (created if missing)
  EventStoreOptions store;  // path and decider are filled in by Open
  ProjectorOptions projector;
  // When given, a CheckpointSigner signs checkpoints of the chain with this key.
  std::shared_ptr<const SigningKey> signing_key;
  CheckpointSignerOptions checkpoints;
  // When given, the master key of the personal vault (docs/privacy.md) over the store's
  // `personal` family; without it the node keeps and shows no personal data (a replica).
  std::optional<PersonalKey> personal_key;
};

// Where a node's start went (LedgerNode::Open), in seconds.
struct LedgerNodeStartup {
  double open_store = 0;      // EventStore::Open: the chain verified since its last checkpoint
  double load_rows = 0;       // the ledger read model's rows into a LedgerState, once
  double copy_state = 0;      // that state copied for the write side
  double derive_indexes = 0;  // the indexes not persisted, derived on both states at once
  double replay_tail = 0;     // the write side brought from the rows' checkpoint to the head
  uint64_t tail_events = 0;
};

class LedgerNode {
 public:
  // Opens the store, loads the ledger read model's rows once into the projector's state and a
  // copy of it for the decider, which then replays the log tail, and starts the projector. Errors:
  // those of EventStore::Open, and Corruption when the log or rows do not verify.
  static Result<std::unique_ptr<LedgerNode>> Open(LedgerNodeOptions options);

  // Stops the projector (flushing its rows), then closes the store after committing and
  // acknowledging every queued append.
  ~LedgerNode();

  EventStore& store() { return *store_; }
  const EventStore& store() const { return *store_; }
  const Projector& projector() const { return *projector_; }
  // nullptr unless the options gave a signing key.
  const CheckpointSigner* checkpoint_signer() const { return signer_.get(); }
  // nullptr unless the options gave a personal key.
  PersonalVault* vault() const { return vault_.get(); }
  const LedgerNodeStartup& startup() const { return startup_; }

 private:
  LedgerNode() = default;
  std::shared_ptr<LedgerDecider> decider_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<ReadModelStore> rows_;
  std::unique_ptr<Projector> projector_;
  std::unique_ptr<CheckpointSigner> signer_;
  std::unique_ptr<PersonalVault> vault_;
  LedgerNodeStartup startup_;
};

}  // namespace ledger
