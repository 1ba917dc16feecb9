// The personal export (`ledgerctl export --personal FILE`, docs/privacy.md): an admin's backup of
// the personal vault, apart from the log's export, and its import, which re-wraps every data key
// under the target's master key and checks each record against its event's commitment.
//
// One JSON line per member who has personal data (erased ones have none):
//   {"subject": "e-1", "data_key": "<64 hex>",
//    "records": [{"position": 12, "id": "ev-12", "type": "MemberRegistered",
//                 "fields": "<the JCS text the commitment is over>"}, ...]}
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/status.h"
#include "eventstore/event_store.h"
#include "eventstore/personal_vault.h"

namespace ledger::tools {

// Writes the vault of `store` opened with `master_key` to a new file `path` (mode 0600; an
// existing file is refused). Returns the number of records written.
Result<uint64_t> WritePersonalExport(const EventStore& store, const PersonalKey& master_key,
                                     const std::string& path);

// One record of a personal export.
struct PersonalImportRecord {
  std::string subject;
  PersonalKey data_key{};
  std::string type;
  std::string fields;
};

// The records of the personal export at `path`, by event id. InvalidArgument for a malformed line.
Result<std::map<std::string, PersonalImportRecord>> ReadPersonalExport(const std::string& path);

// The commitment (32 bytes) the event's payload carries; nullopt when it carries none.
std::optional<std::string> CommitmentOf(std::string_view payload);

}  // namespace ledger::tools
