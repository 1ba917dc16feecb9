// The export file: a ledger's whole history as JSON Lines, for auditors (docs/auditing.md).
//
//   {"position":N,"prev_hash":"hex","hash":"hex","envelope":"base64","event":{...}}
//   {"checkpoint":{"position":N,"hash":"hex","recorded_at_us":T,"signature":"hex"}}
//
// One line per event in position order: the stored envelope bytes (RFC 4648 base64; they are
// what is hashed, docs/event_format.md) and, for reading, the event decoded as the API shows it.
// Each signed checkpoint follows the event it covers, and the file ends with a checkpoint of its
// last event, so a truncated file fails verification. The same ledger always exports to the same
// bytes.
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "domain/status.h"
#include "eventstore/event.h"
#include "eventstore/event_store.h"
#include "eventstore/signed_checkpoint.h"
#include "eventstore/signing_key.h"

namespace ledger::tools {

// Writes every committed event of `store` and its stored checkpoints to `out`, then a checkpoint
// of the last event signed with `key` (unless one is stored already). Returns the event count.
Result<uint64_t> WriteExport(EventStore& store, const SigningKey& key, std::ostream& out);

// One parsed line of an export file.
struct ExportLine {
  std::optional<StoredEvent> event;  // decoded from the envelope bytes
  std::optional<SignedCheckpoint> checkpoint;
};

// Reads an export file line by line. For an event line it checks that the line's position and
// hashes and its decoded "event" JSON say exactly what its envelope bytes say (nobody can be
// misled by an edited JSON field); a mismatch is Corruption naming the line. Stops early if
// `visit` returns false. `block_bytes`: how much is read at a time (tools/line_reader.h).
Status ReadExport(std::istream& in, const std::function<bool(const ExportLine&)>& visit,
                  size_t block_bytes = 1 << 20);

}  // namespace ledger::tools
