// The onboarding import's files (api/sheet_import.h): ReadSheetFile (CSV in any encoding, or an
// xlsx zip: minizip and expat over uploaded bytes), then BuildSheetImport (rows → event JSON →
// DecodeEvent). Every table is within the sheet bounds, every problem names a row the sheet has
// and every draft's payload verifies as its type.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/sheet_import.h"
#include "domain/event_payload.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ledger::Result<std::vector<ledger::api::SheetTable>> tables =
      ledger::api::ReadSheetFile(bytes, "fuzz.csv");
  if (!tables.ok()) return 0;
  size_t rows_max = 0;
  for (const ledger::api::SheetTable& table : *tables) {
    FUZZ_CHECK(table.rows.size() <= ledger::api::kSheetRowsMax);
    for (const auto& row : table.rows) {
      FUZZ_CHECK(row.size() <= ledger::api::kSheetColumnsMax);
      for (const auto& cell : row) FUZZ_CHECK(cell.size() <= ledger::api::kSheetCellBytesMax);
    }
    rows_max = std::max(rows_max, table.rows.size());
  }
  const ledger::api::SheetImport import = ledger::api::BuildSheetImport(*tables);
  FUZZ_CHECK(import.problems.size() <= ledger::api::kSheetProblemsMax);
  FUZZ_CHECK(import.problems.size() <= import.problems_total);
  for (const ledger::api::SheetProblem& problem : import.problems) {
    FUZZ_CHECK(problem.row <= rows_max);
    FUZZ_CHECK(!problem.reason.empty());
  }
  FUZZ_CHECK(import.drafts.size() == import.origins.size());
  for (const ledger::EventDraft& draft : import.drafts) {
    const ledger::events::EventData* payload = ledger::VerifyEventData(draft.payload);
    FUZZ_CHECK(payload != nullptr);
    FUZZ_CHECK(ledger::EventTypeName(payload->data_type()) == draft.type);
  }
  return 0;
}
