#include "projections/ledger_node.h"

#include "eventstore/ledger_replay.h"

namespace ledger {

Result<std::unique_ptr<LedgerNode>> LedgerNode::Open(LedgerNodeOptions options) {
  std::unique_ptr<LedgerNode> node(new LedgerNode());
  node->decider_ = std::make_shared<LedgerDecider>();
  options.store.path = options.data_dir;
  options.store.decider = node->decider_;
  auto store = EventStore::Open(options.store);
  if (!store.ok()) return store.status();
  node->store_ = std::move(store).value();
  if (options.personal_key) {
    node->vault_ = std::make_unique<PersonalVault>(*node->store_, *options.personal_key);
  }
  if (Status status = node->decider_->Prime(*node->store_); !status.ok()) return status;
  auto rows = node->store_->OpenReadModel(kLedgerReadModel);
  if (!rows.ok()) return rows.status();
  node->rows_ = std::move(rows).value();
  auto projector = Projector::Start(*node->store_, *node->rows_, options.projector);
  if (!projector.ok()) return projector.status();
  node->projector_ = std::move(projector).value();
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
