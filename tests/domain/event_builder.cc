#include "tests/domain/event_builder.h"

#include <flatbuffers/idl.h>
#include <flatbuffers/util.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <regex>

#include "domain/civil_time.h"

namespace ledger::testing {
namespace {

flatbuffers::Parser& SchemaParser() {
  static std::unique_ptr<flatbuffers::Parser> parser = [] {
    std::string schema;
    if (!flatbuffers::LoadFile(LEDGER_EVENTS_FBS, false, &schema)) {
      std::fprintf(stderr, "cannot read %s\n", LEDGER_EVENTS_FBS);
      std::abort();
    }
    // Format 1's personal fields, kept for tests only: they still write `name: "王秀兰"` and
    // the like, which the payload then carries after the real fields (the ledger's readers
    // ignore them; its API takes them from the JSON and seals them apart, docs/privacy.md).
    for (const char* table : {"MemberRegistered", "MemberUpdated", "ServiceLogged"}) {
      const size_t start = schema.find(std::string("table ") + table + " {");
      const size_t end = schema.find("\n}", start);
      if (start == std::string::npos || end == std::string::npos) std::abort();
      schema.insert(end, std::string(table) == "ServiceLogged"
                             ? "\n  place: string;\n  content: string;"
                             : "\n  name: string;\n  gender: string;\n  birth_year: int32 = null;"
                               "\n  phone: string;\n  lives_alone: bool = null;"
                               "\n  skills: [string];");
    }
    auto p = std::make_unique<flatbuffers::Parser>();
    if (!p->Parse(schema.c_str())) {
      std::fprintf(stderr, "schema: %s\n", p->error_.c_str());
      std::abort();
    }
    return p;
  }();
  return *parser;
}

}  // namespace

bool GivesPersonalFields(std::string_view type, std::string_view fields_json) {
  static const std::regex kPersonal(
      R"((^|[^a-z_])(name|gender|birth_year|phone|lives_alone|skills|place|content)\s*:)");
  if (type != "MemberRegistered" && type != "MemberUpdated" && type != "ServiceLogged") {
    return false;
  }
  return std::regex_search(std::string(fields_json), kPersonal);
}

std::string PersonalFieldsJson(std::string_view type, std::string_view fields_json) {
  if (!GivesPersonalFields(type, fields_json)) return "{}";
  const std::string payload = Payload(type, fields_json);
  flatbuffers::Parser& parser = SchemaParser();
  std::string text;
  parser.opts.strict_json = true;  // for the output only: the tests' input quotes no names
  const bool generated = flatbuffers::GenerateText(parser, payload.data(), &text);
  parser.opts.strict_json = false;
  if (!generated) std::abort();
  return text;
}

std::string Payload(std::string_view type, std::string_view fields_json) {
  flatbuffers::Parser& parser = SchemaParser();
  std::string fields(fields_json);
  // Events that give personal fields carry a commitment to them (zeros in the tests).
  if (GivesPersonalFields(type, fields_json) && fields.find("personal:") == std::string::npos) {
    fields += ", personal: [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]";
  }
  const std::string json = "{ data_type: \"" + std::string(type) + "\", data: { " + fields + " } }";
  if (!parser.Parse(json.c_str())) {
    std::fprintf(stderr, "event JSON %s: %s\n", json.c_str(), parser.error_.c_str());
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(parser.builder_.GetBufferPointer()),
                     parser.builder_.GetSize());
}

std::string LedgerDriver::RunWithId(std::string_view id, std::string_view type,
                                    std::string_view fields_json) {
  return Execute(id, std::nullopt, type, fields_json);
}

std::string LedgerDriver::RunInStream(std::string_view stream, std::string_view type,
                                      std::string_view fields_json) {
  return Execute("ev-" + std::to_string(next_id_++), stream, type, fields_json);
}

std::string LedgerDriver::Execute(std::string_view id, std::optional<std::string_view> in_stream,
                                  std::string_view type, std::string_view fields_json) {
  const std::string payload = Payload(type, fields_json);
  const events::EventData* data = events::GetEventData(payload.data());
  const std::string stream = in_stream ? std::string(*in_stream) : state_.StreamOf(*data);
  const std::string hash(32, static_cast<char>(next_position_ & 0xFF));
  EventMeta meta{next_position_, EventRef(id), stream, now_us, hash};
  Execution execution = state_.Execute(meta, *data);
  if (execution.outcome == Outcome::kOk) ++next_position_;
  last_id = std::string(id);
  last_computed_amount_fen = execution.computed_amount_fen;
  return std::string(OutcomeCode(execution.outcome));
}

std::string LedgerDriver::Run(std::string_view type, std::string_view fields_json) {
  return RunWithId("ev-" + std::to_string(next_id_++), type, fields_json);
}

void LedgerDriver::Must(std::string_view type, std::string_view fields_json) {
  const std::string outcome = Run(type, fields_json);
  if (outcome != "ok") {
    std::fprintf(stderr, "setup event %.*s {%.*s} was refused: %s\n", static_cast<int>(type.size()),
                 type.data(), static_cast<int>(fields_json.size()), fields_json.data(),
                 outcome.c_str());
    std::abort();
  }
}

int64_t BeijingUs(int year, int month, int day, int hour) {
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 86400) + hour * 3600 - kBeijingOffsetSeconds) * 1'000'000;
}

}  // namespace ledger::testing
