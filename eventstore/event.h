// The shapes of an event as it goes into and comes out of the store.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/position.h"
#include "domain/write_scope.h"

namespace ledger {

// SHA-256 digest of the chain at one position.
using Hash = std::array<uint8_t, 32>;

std::string HexOf(const Hash& hash);

// What the store writes beside an accepted event, in the same WriteBatch, into its `personal`
// column family (the personal vault, eventstore/personal_vault.h): puts, then deletes of key
// ranges [begin, end).
struct SideWrites {
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<std::pair<std::string, std::string>> deleted_ranges;
};

// An event's side record: written only if the event is accepted, never hashed, stored or
// published with it, and not part of its content digest. Implementations are immutable.
class SideRecord {
 public:
  virtual ~SideRecord() = default;
  // The writes for the event accepted at `position`. Runs on the store's sequencer thread: it
  // must not block.
  virtual void Write(Position position, SideWrites& out) const = 0;
};

// What a caller asks the store to append. The store assigns position, stream version,
// recorded_at and hash.
struct EventDraft {
  // Idempotency key, unique across the log. The same id with the same content (stream, type,
  // occurred_at, payload as submitted) is a replay; with other content, a conflict. actor and
  // expected_version describe the request, not the fact, and are not compared.
  std::string id;
  std::string stream;                             // the stream it belongs to
  std::string type;                               // the event type name
  std::optional<StreamVersion> expected_version;  // refuse unless the stream is at this version
  int64_t occurred_at_us = 0;                     // when it happened, as the caller says
  std::string actor;                              // who records it (a key id)
  std::string payload;                            // opaque to the store; domain/ encodes it
  // What the writer may touch (domain/scope_rules.h), checked by the decider against the
  // write-side state. Like actor, it describes the request and is not compared or stored.
  WriteScope scope;
  // Written beside the event if it is accepted (nullptr: nothing); not compared or hashed.
  std::shared_ptr<const SideRecord> side;
};

// An event as stored: the draft's content plus what the store assigned.
struct StoredEvent {
  Position position;
  std::string stream;
  StreamVersion version;
  std::string id;
  std::string type;
  int64_t occurred_at_us = 0;
  int64_t recorded_at_us = 0;
  std::string actor;
  std::string payload;
  Hash prev_hash{};
  Hash hash{};
};

// What Append returns for each event of a batch, in batch order.
struct AppendResult {
  std::string id;
  Position position;
  std::string stream;
  StreamVersion version;
  int64_t recorded_at_us = 0;
  Hash hash{};
  bool duplicate = false;  // true when the id was already stored with the same content
};

// The newest committed event: `next` is the position the next event will get (0 when empty), and
// `hash` the chain hash at next - 1 (zeros when empty).
struct Head {
  Position next;
  Hash hash{};
  bool operator==(const Head&) const = default;
};

}  // namespace ledger
