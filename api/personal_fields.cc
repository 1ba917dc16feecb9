#include "api/personal_fields.h"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>

namespace ledger::api {
namespace json = boost::json;
namespace {

// A record's fields as an object; nullopt (logged) when they are not one.
std::optional<json::object> FieldsOf(std::string_view member_id, const PersonalRecord& record) {
  boost::system::error_code error;
  json::value value = json::parse(record.fields, error);
  if (error || !value.is_object()) {
    spdlog::error("personal record of {} at {} is not a JSON object", member_id,
                  record.position.value);
    return std::nullopt;
  }
  return std::move(value.as_object());
}

// The fields of `member_id` that `read` asks for, from `vault` (the caller's right is checked).
std::optional<json::object> ReadPersonalFields(PersonalVault* vault, std::string_view member_id,
                                               const PersonalRead& read) {
  if (read.at) {
    Result<std::optional<PersonalRecord>> record = vault->ReadAt(member_id, *read.at);
    if (!record.ok()) {
      spdlog::error("personal vault: {}", record.status().ToString());
      return std::nullopt;
    }
    if (!record->has_value()) return std::nullopt;
    return FieldsOf(member_id, **record);
  }
  Result<std::shared_ptr<const std::vector<PersonalRecord>>> records =
      vault->ReadMemberRecords(member_id);
  if (!records.ok()) {
    spdlog::error("personal vault: {}", records.status().ToString());
    return std::nullopt;
  }
  std::optional<json::object> folded;
  for (const PersonalRecord& record : **records) {
    if (read.before && record.position >= *read.before) break;
    std::optional<json::object> fields = FieldsOf(member_id, record);
    if (!fields) return std::nullopt;
    if (!folded) folded.emplace();
    for (const auto& field : *fields) (*folded)[field.key()] = field.value();
  }
  return folded;
}

}  // namespace

Checked<SealedFields> VaultSealer::Seal(std::string_view subject, std::string_view type,
                                        const std::string& fields) {
  if (vault_ == nullptr) {
    return MakeProblem(503, "unavailable", "this node keeps no personal data");
  }
  Result<PersonalKey> commit_key = vault_->CommitKey(subject);
  if (!commit_key.ok()) {
    if (commit_key.status().reason() == "personal_data_erased") {
      return MakeProblem(422, "personal_data_erased",
                         "the personal data of member '" + std::string(subject) +
                             "' was erased; no personal field of hers is recorded again");
    }
    return ProblemForStatus(commit_key.status());
  }
  Result<std::shared_ptr<const SideRecord>> side = vault_->Seal(subject, type, fields);
  if (!side.ok()) return ProblemForStatus(side.status());
  return SealedFields{PersonalVault::Commitment(*commit_key, fields), std::move(*side)};
}

bool MaySeePersonalOf(const Call& call, std::string_view member_branch,
                      std::string_view member_id) {
  return Endpoints::MaySeePersonal(call, member_branch) ||
         (call.role() == Role::kMember && call.scope() == member_id);
}

std::optional<json::object> PersonalFieldsFor(Handler& h, Call& call, PersonalVault* vault,
                                              std::string_view member_id,
                                              std::string_view member_branch,
                                              const PersonalRead& read) {
  if (vault == nullptr) return std::nullopt;
  if (!read.published && !MaySeePersonalOf(call, member_branch, member_id)) return std::nullopt;
  std::optional<json::object> fields = StoredPersonalFields(vault, member_id, read);
  if (fields) h.NotePersonalRead(call, member_id);
  return fields;
}

std::optional<json::object> StoredPersonalFields(PersonalVault* vault, std::string_view member_id,
                                                 const PersonalRead& read) {
  if (vault == nullptr) return std::nullopt;
  return ReadPersonalFields(vault, member_id, read);
}

}  // namespace ledger::api
