#include "tests/domain/event_builder.h"

#include <flatbuffers/idl.h>
#include <flatbuffers/util.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

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

std::string Payload(std::string_view type, std::string_view fields_json) {
  flatbuffers::Parser& parser = SchemaParser();
  const std::string json =
      "{ data_type: \"" + std::string(type) + "\", data: { " + std::string(fields_json) + " } }";
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
