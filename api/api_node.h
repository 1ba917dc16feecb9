// ApiNode: what ledgerd serves from one data directory: the ledger (LedgerNode), the API keys,
// the ledger's signing key (<data>/signing.key) and the request handler over them. Tests open
// one in a temporary directory and put a Server in front of it.
//
// Thread-safety: as Handler; open and destroy from one thread.
#pragma once

#include <memory>
#include <string>

#include "api/handler.h"
#include "api/key_store.h"
#include "api/metrics.h"
#include "eventstore/signing_key.h"
#include "projections/ledger_node.h"

namespace ledger::api {

struct ApiNodeOptions {
  std::string data_dir;      // the ledger's RocksDB directory; admin.key and signing.key beside it
  std::string admin_key;     // the bootstrap admin key (see LoadOrCreateAdminKey)
  LedgerNodeOptions ledger;  // data_dir is filled in
  HandlerOptions handler;
};

class ApiNode {
 public:
  // Opens the ledger and the keys. Errors of LedgerNode::Open, KeyStore::Open and
  // SigningKey::LoadOrCreate.
  static Result<std::unique_ptr<ApiNode>> Open(ApiNodeOptions options);
  // Closes the handler and keys, then the ledger (acknowledging every queued append).
  ~ApiNode();

  LedgerNode& ledger() { return *ledger_; }
  Handler& handler() { return *handler_; }
  KeyStore& keys() { return *keys_; }
  const SigningKey& signing_key() const { return *signing_key_; }

 private:
  ApiNode() = default;
  std::unique_ptr<LedgerNode> ledger_;
  std::unique_ptr<ReadModelStore> key_rows_;
  std::unique_ptr<KeyStore> keys_;
  std::shared_ptr<const SigningKey> signing_key_;
  Metrics metrics_;
  std::unique_ptr<Handler> handler_;
};

}  // namespace ledger::api
