// Test helper: event payloads from FlatBuffers JSON (the schema domain/events.fbs, parsed at run
// time by flatbuffers::Parser), so that tests read like the events they record.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/ledger_state.h"

namespace ledger::testing {

// The EventData payload bytes for `type` with fields `fields_json` (a FlatBuffers JSON object
// body, e.g. `member_id: "v1", kind: volunteer`). Aborts on a schema error: a broken test.
// Personal fields (name, phone, a visit's place...; format 1's, docs/event_format.md) may be
// given as before: the payload then carries them after its real fields, which the ledger's
// readers ignore, and a 32-zero-byte commitment.
std::string Payload(std::string_view type, std::string_view fields_json);

// Whether `fields_json` of `type` gives personal fields.
bool GivesPersonalFields(std::string_view type, std::string_view fields_json);

// The whole EventData of `type` with `fields_json` as strict JSON text, personal fields
// included ({"data_type": ..., "data": {...}}); "{}" when it gives none.
std::string PersonalFieldsJson(std::string_view type, std::string_view fields_json);

// Runs events through a LedgerState the way the store's writer does: stream from StreamOf, a
// fresh id per event, occurred_at from `now_us`.
class LedgerDriver {
 public:
  // Executes one event; returns its outcome code ("ok", "unknown_member", ...).
  std::string Run(std::string_view type, std::string_view fields_json);
  // Executes an event that must be accepted; aborts the test otherwise (use in setup).
  void Must(std::string_view type, std::string_view fields_json);
  // Executes with an explicit event id (for reversals that name it).
  std::string RunWithId(std::string_view id, std::string_view type, std::string_view fields_json);
  // Executes in a given stream instead of the one StreamOf resolves.
  std::string RunInStream(std::string_view stream, std::string_view type,
                          std::string_view fields_json);

  LedgerState& state() { return state_; }
  int64_t now_us = 1'790'000'000'000'000;  // 2026-09-21 (Beijing)
  std::string last_id;
  std::optional<Fen> last_computed_amount_fen;

 private:
  std::string Execute(std::string_view id, std::optional<std::string_view> in_stream,
                      std::string_view type, std::string_view fields_json);
  LedgerState state_;
  uint64_t next_position_ = 0;
  uint64_t next_id_ = 0;
};

// Microseconds since the epoch of a Beijing-time date and hour.
int64_t BeijingUs(int year, int month, int day, int hour = 12);

}  // namespace ledger::testing
