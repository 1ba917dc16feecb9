// VaultSealer: the server's PersonalSealer (api/event_codec.h), over the personal vault
// (eventstore/personal_vault.h, docs/privacy.md). Thread-safe as PersonalVault.
#pragma once

#include <string>
#include <string_view>

#include "api/event_codec.h"
#include "eventstore/personal_vault.h"

namespace ledger::api {

// The server's sealer: the subject's commit key and sealed record from `vault`.
class VaultSealer : public PersonalSealer {
 public:
  explicit VaultSealer(PersonalVault* vault) : vault_(vault) {}
  // 422 personal_data_erased for an erased subject; 503 unavailable without a vault (a replica
  // takes no writes anyway); 500 when the vault fails.
  Checked<SealedFields> Seal(std::string_view subject, std::string_view type,
                             const std::string& fields) override;

 private:
  PersonalVault* vault_;
};

}  // namespace ledger::api
