#include "api/api_node.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace ledger::api {

Result<std::unique_ptr<ApiNode>> ApiNode::Open(ApiNodeOptions options) {
  std::unique_ptr<ApiNode> node(new ApiNode());
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) return Status::IoError("cannot create " + options.data_dir + ": " + error.message());
  const std::string signing_key_path =
      options.signing_key_path.empty()
          ? (std::filesystem::path(options.data_dir) / "signing.key").string()
          : options.signing_key_path;
  auto signing_key = SigningKey::LoadOrCreate(signing_key_path);
  if (!signing_key.ok()) return signing_key.status();
  node->signing_key_ = std::move(signing_key).value();
  options.ledger.data_dir = options.data_dir;
  if (!options.replica) {
    const std::string personal_key_path =
        options.personal_key_path.empty()
            ? (std::filesystem::path(options.data_dir) / "personal.key").string()
            : options.personal_key_path;
    auto personal_key = PersonalVault::LoadOrCreateMasterKey(personal_key_path);
    if (!personal_key.ok()) return personal_key.status();
    options.ledger.personal_key = *personal_key;
  }
  options.ledger.signing_key = node->signing_key_;  // signed checkpoints of the chain
  if (options.replica) {
    // The primary signs; a replica's store takes each group's recorded_at from the primary.
    options.ledger.signing_key = nullptr;
    node->replica_clock_us_ = std::make_unique<std::atomic<int64_t>>(0);
    options.ledger.store.clock_us = [clock = node->replica_clock_us_.get()] {
      return clock->load();
    };
    options.handler.replica_of = options.primary_url.empty() ? "the primary" : options.primary_url;
    options.kafka_relay.reset();
  }
  auto ledger = LedgerNode::Open(options.ledger);
  if (!ledger.ok()) return ledger.status();
  node->ledger_ = std::move(ledger).value();
  if (options.replica) {
    auto replicator = KafkaReplicator::Start(node->ledger_->store(), node->replica_clock_us_.get(),
                                             std::move(*options.replica));
    if (!replicator.ok()) return replicator.status();
    node->replicator_ = std::move(replicator).value();
    options.handler.kafka_replicator = node->replicator_.get();
  }
  if (options.kafka_relay) {
    auto relay = KafkaRelay::Start(node->ledger_->store(), std::move(*options.kafka_relay));
    if (!relay.ok()) {
      const Status& status = relay.status();
      return Status(status.code(), "kafka relay: " + status.message());
    }
    node->relay_ = std::move(relay).value();
    options.handler.kafka_relay = node->relay_.get();
  }
  auto rows = node->ledger_->store().OpenReadModel(kKeysReadModel);
  if (!rows.ok()) return rows.status();
  node->key_rows_ = std::move(rows).value();
  auto keys = KeyStore::Open(*node->key_rows_, options.admin_key);
  if (!keys.ok()) return keys.status();
  node->keys_ = std::move(keys).value();
  auto credential_rows = node->ledger_->store().OpenReadModel(kCredentialsReadModel);
  if (!credential_rows.ok()) return credential_rows.status();
  node->credential_rows_ = std::move(credential_rows).value();
  // Accounts the log says are closed stay closed, even if the process stopped between the
  // AccountClosed event and its row (the projection first catches up with the log).
  const Projector& projector = node->ledger_->projector();
  static_cast<void>(
      projector.WaitForApplied(node->ledger_->store().GetHead().next, std::chrono::seconds(30)));
  std::set<std::string> closed_in_log;
  projector.Read([&](const LedgerState& state) {
    Status ignored =
        node->credential_rows_->ForEachRow([&](std::string_view key, std::string_view) {
          constexpr std::string_view kPrefix = "account/";
          if (!key.starts_with(kPrefix)) return true;
          const std::string_view id = key.substr(kPrefix.size());
          if (state.IsAccountClosed(id)) closed_in_log.insert(std::string(id));
          return true;
        });
    static_cast<void>(ignored);  // a read error shows again, and fails, in AccountStore::Open
  });
  // Likewise keys the log says are revoked stay revoked, even if the process stopped between the
  // KeyRevoked event and the removal of the key's row.
  std::vector<std::string> revoked_in_log;
  projector.Read([&](const LedgerState& state) {
    for (const KeyInfo& key : node->keys_->List()) {
      if (state.IsKeyRevoked(key.key_id)) revoked_in_log.push_back(key.key_id);
    }
  });
  for (const std::string& key_id : revoked_in_log) {
    if (Status revoked = node->keys_->Revoke(key_id); !revoked.ok()) return revoked;
  }
  auto accounts = AccountStore::Open(*node->credential_rows_, closed_in_log);
  if (!accounts.ok()) return accounts.status();
  node->accounts_ = std::move(accounts).value();
  if (options.access_log.path.empty()) {
    options.access_log.path = (std::filesystem::path(options.data_dir) / "access-log").string();
  }
  auto access_log = AccessLog::Open(std::move(options.access_log));
  if (!access_log.ok()) return access_log.status();
  node->access_log_ = std::move(access_log).value();
  options.handler.access_log = node->access_log_.get();
  node->handler_ =
      std::make_unique<Handler>(*node->ledger_, *node->keys_, *node->accounts_, *node->signing_key_,
                                node->metrics_, std::move(options.handler));
  return node;
}

ApiNode::~ApiNode() {
  handler_.reset();
  access_log_.reset();  // writes what it buffered
  replicator_.reset();  // before the ledger: it appends to the store
  relay_.reset();       // before the ledger: it reads the store
  accounts_.reset();
  credential_rows_.reset();
  keys_.reset();
  key_rows_.reset();
  ledger_.reset();
}

}  // namespace ledger::api
