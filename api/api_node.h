// ApiNode: what ledgerd serves from one data directory: the ledger (LedgerNode), the API keys,
// the ledger's signing key (<data>/signing.key), the Kafka relay when configured, the access log
// (<data>/access-log), and the request handler over them. Tests open one in a temporary directory
// and put a Server in front of it.
//
// Thread-safety: as Handler; open and destroy from one thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "api/handler.h"
#include "api/key_store.h"
#include "api/metrics.h"
#include "eventstore/access_log.h"
#include "eventstore/kafka/kafka_relay.h"
#include "eventstore/kafka/kafka_replicator.h"
#include "eventstore/signing_key.h"
#include "projections/ledger_node.h"

namespace ledger::api {

struct ApiNodeOptions {
  std::string data_dir;   // the ledger's RocksDB directory; admin.key and signing.key beside it
  std::string admin_key;  // the bootstrap admin key (see LoadOrCreateAdminKey)
  std::string signing_key_path;  // the ledger's Ed25519 key; "" for <data_dir>/signing.key
  // The personal vault's master key (32 bytes, docs/privacy.md); "" for <data_dir>/personal.key.
  // Created if missing, like the signing key. A replica has none: it keeps no personal data.
  std::string personal_key_path;
  LedgerNodeOptions ledger;  // data_dir is filled in
  // When set, a KafkaRelay publishes the log (docs/kafka.md); its progress shows in /metrics
  // and /readyz. The broker need not be reachable: the relay catches up when it is.
  std::optional<KafkaRelayOptions> kafka_relay;
  // When set, this node is a read replica: a KafkaReplicator builds the ledger from the
  // primary's events topic (and no relay, no checkpoint signing, no writes: 409).
  std::optional<KafkaReplicatorOptions> replica;
  std::string primary_url;  // named in the replica's 409 answers
  HandlerOptions handler;   // kafka_relay and access_log are filled in
  // Who read whose personal data: its own RocksDB instance, <data_dir>/access-log unless
  // access_log.path says otherwise (eventstore/access_log.h).
  AccessLogOptions access_log;
};

class ApiNode {
 public:
  // Opens the ledger and the keys, and starts the relay. Errors of LedgerNode::Open,
  // KeyStore::Open, SigningKey::LoadOrCreate and KafkaRelay::Start (InvalidArgument, prefixed
  // "kafka relay: ", for a bad relay option or librdkafka property).
  [[nodiscard]] static Result<std::unique_ptr<ApiNode>> Open(ApiNodeOptions options);
  // Closes the handler, stops the relay (it reads the store), closes the keys, then the ledger
  // (acknowledging every queued append; what they add is published on the next start).
  ~ApiNode();

  LedgerNode& ledger() { return *ledger_; }
  Handler& handler() { return *handler_; }
  KeyStore& keys() { return *keys_; }
  AccountStore& accounts() { return *accounts_; }
  const SigningKey& signing_key() const { return *signing_key_; }
  // nullptr unless the options configured a relay.
  const KafkaRelay* kafka_relay() const { return relay_.get(); }
  AccessLog& access_log() { return *access_log_; }

 private:
  ApiNode() = default;
  std::unique_ptr<LedgerNode> ledger_;
  std::unique_ptr<ReadModelStore> key_rows_;
  std::unique_ptr<KeyStore> keys_;
  std::unique_ptr<ReadModelStore> credential_rows_;
  std::unique_ptr<AccountStore> accounts_;
  std::shared_ptr<const SigningKey> signing_key_;
  // A replica's store clock: the replicator sets it to each replicated group's recorded_at.
  std::unique_ptr<std::atomic<int64_t>> replica_clock_us_;
  std::unique_ptr<KafkaReplicator> replicator_;
  std::unique_ptr<KafkaRelay> relay_;
  Metrics metrics_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<Handler> handler_;
};

}  // namespace ledger::api
