#include "tools/personal_export.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>

#include "api/encoding.h"
#include "domain/event_payload.h"

namespace ledger::tools {
namespace json = boost::json;
namespace {

std::optional<PersonalKey> KeyFromHex(std::string_view hex) {
  if (hex.size() != 2 * kPersonalKeyBytes) return std::nullopt;
  PersonalKey key{};
  for (size_t i = 0; i < key.size(); ++i) {
    int byte = 0;
    for (char c : hex.substr(2 * i, 2)) {
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return std::nullopt;
      byte = byte * 16 + digit;
    }
    key[i] = static_cast<uint8_t>(byte);
  }
  return key;
}

}  // namespace

Result<uint64_t> WritePersonalExport(const EventStore& store, const PersonalKey& master_key,
                                     const std::string& path) {
  // O_EXCL and 0600: the file holds every member's personal data and data key.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status::IoError("cannot create " + path + " (it must not exist)");
  std::string text;
  uint64_t records = 0;
  PersonalVault vault(store, master_key);
  Status failure;
  Status visited = vault.ForEachSubject([&](std::string_view subject, const PersonalKey& data_key,
                                            const std::vector<PersonalRecord>& sealed) {
    json::array lines;
    for (const PersonalRecord& record : sealed) {
      Result<StoredEvent> event = store.ReadAt(record.position);
      if (!event.ok()) {
        failure = event.status();
        return false;
      }
      lines.push_back(json::object{{"position", record.position.value},
                                   {"id", event->id},
                                   {"type", record.type},
                                   {"fields", record.fields}});
      ++records;
    }
    text += json::serialize(json::object{
        {"subject", subject},
        {"data_key", api::Hex(std::string_view(reinterpret_cast<const char*>(data_key.data()),
                                               data_key.size()))},
        {"records", std::move(lines)}});
    text += '\n';
    return true;
  });
  const bool written = visited.ok() && failure.ok() &&
                       write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       fsync(fd) == 0;
  close(fd);
  if (!visited.ok()) return visited;
  if (!failure.ok()) return failure;
  if (!written) return Status::IoError("cannot write " + path);
  return records;
}

Result<std::map<std::string, PersonalImportRecord>> ReadPersonalExport(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::map<std::string, PersonalImportRecord> out;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    const Status bad =
        Status::InvalidArgument(path + " line " + std::to_string(number) + " is malformed");
    boost::system::error_code error;
    json::value value = json::parse(line, error);
    if (error || !value.is_object()) return bad;
    const json::object& subject = value.as_object();
    const json::value* id = subject.if_contains("subject");
    const json::value* key = subject.if_contains("data_key");
    const json::value* records = subject.if_contains("records");
    if (id == nullptr || !id->is_string() || key == nullptr || !key->is_string() ||
        records == nullptr || !records->is_array()) {
      return bad;
    }
    std::optional<PersonalKey> data_key = KeyFromHex(key->as_string());
    if (!data_key) return bad;
    for (const json::value& r : records->as_array()) {
      const json::object* record = r.if_object();
      if (record == nullptr) return bad;
      const json::value* event_id = record->if_contains("id");
      const json::value* type = record->if_contains("type");
      const json::value* fields = record->if_contains("fields");
      if (event_id == nullptr || !event_id->is_string() || type == nullptr || !type->is_string() ||
          fields == nullptr || !fields->is_string()) {
        return bad;
      }
      out[std::string(event_id->as_string())] =
          PersonalImportRecord{std::string(id->as_string()), *data_key,
                               std::string(type->as_string()), std::string(fields->as_string())};
    }
  }
  return out;
}

std::optional<std::string> CommitmentOf(std::string_view payload) {
  const events::EventData* data = VerifyEventData(payload);
  if (data == nullptr) return std::nullopt;
  const flatbuffers::Vector<uint8_t>* personal = nullptr;
  if (const auto* e = data->data_as_MemberRegistered()) personal = e->personal();
  if (const auto* e = data->data_as_MemberUpdated()) personal = e->personal();
  if (const auto* e = data->data_as_ServiceLogged()) personal = e->personal();
  if (personal == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(personal->data()), personal->size());
}

}  // namespace ledger::tools
