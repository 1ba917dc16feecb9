// The onboarding import (issue 14): members, pairings and past verified services of an existing
// programme, from the spreadsheet template (docs/templates/, docs/onboarding.md), as one batch of
// events. Shared by `ledgerctl import-sheet` and POST /v1/imports/sheet.
//
// No rule lives here. Each row becomes the JSON of its events, which DecodeEvent (the API's
// codec) turns into drafts; CheckSheetImport then runs every new draft through DecideEvent (the
// store writer's own step: scope, then the domain rules) on a private copy of the ledger state,
// so one pass reports every bad row, not just the first. The caller appends the drafts as one
// all-or-nothing request only when no row is bad; the store's writer checks them once more.
//
// Event ids come from the sheet ("sheet.member.<成员编号>", "sheet.pairing.<结对编号>",
// "sheet.service.<服务编号>.logged" / ".verified"), so importing the same sheet again appends
// nothing: rows whose events are already stored with the same content are counted as already
// imported; a row whose id is stored with other content is a bad row (id_conflict).
//
// Thread-safe: no state.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/event_codec.h"
#include "api/sheet_table.h"
#include "domain/status.h"
#include "domain/write_scope.h"
#include "eventstore/event.h"
#include "eventstore/event_store.h"

namespace ledger::api {

constexpr size_t kSheetProblemsMax = 200;  // problems reported; the count says how many more
// Events of one import: one append request, so within the store's append_request_events_max
// (10000 by default). A service row makes two.
constexpr size_t kSheetImportEventsMax = 10000;

// One bad row (or heading, or file) of an import.
struct SheetProblem {
  std::string sheet;   // the file's or worksheet's name
  size_t row = 0;      // the spreadsheet's row number (the heading is row 1); 0: the whole file
  std::string column;  // the heading of the column at fault; "" for the whole row
  std::string reason;  // in Chinese, for the person who filled in the sheet
  std::string code;    // the API's code for it (invalid_field, unknown_member, id_conflict, ...)
};

// The kinds of sheet the template has, told apart by their heading row.
enum class SheetKind { kMembers, kPairings, kServices };

struct SheetImport {
  struct Origin {
    std::string sheet;
    size_t row = 0;
    SheetKind kind = SheetKind::kMembers;
  };
  std::vector<EventDraft> drafts;  // members first, then pairings, then services
  std::vector<Origin> origins;     // drafts[i] came from origins[i]
  size_t members = 0;              // data rows of each kind
  size_t pairings = 0;
  size_t services = 0;
  size_t already_imported = 0;         // events stored before with the same content (dropped)
  std::vector<SheetProblem> problems;  // at most kSheetProblemsMax
  size_t problems_total = 0;           // including those left out of `problems`

  void AddProblem(SheetProblem problem);
  bool ok() const { return problems_total == 0; }
};

// A file of the template: an xlsx workbook (by its zip signature) or one CSV file (UTF-8 or
// GBK). InvalidArgument (in Chinese) when it cannot be read.
Result<std::vector<SheetTable>> ReadSheetFile(std::string_view bytes, const std::string& name);

// The events of `tables`, each row's built and decoded; undecodable rows, unknown sheets,
// missing or unknown headings and ids repeated within the import become problems. A worksheet
// named "说明" (the template's instructions) is skipped. `sealer` seals the rows' personal
// fields (DecodeEvent).
SheetImport BuildSheetImport(const std::vector<SheetTable>& tables,
                             PersonalSealer* sealer = nullptr);

// Checks the drafts of `import` against the ledger in `store` as recorded by a caller with
// `scope` (see the file comment), dropping those already imported and adding a problem for each
// refused row. Returns a non-OK status only when the store cannot be read.
Status CheckSheetImport(const EventStore& store, const WriteScope& scope, SheetImport& import);

// The row a store refusal names ("... 'sheet.member.v-1' refused ..."), as a problem; the
// append of a checked import can still be refused when the ledger changed in between.
SheetProblem ProblemForRefusal(const SheetImport& import, const Status& status);

// The report: {"members","pairings","services","events","already_imported","problems_total",
// "problems":[{"sheet","row","column","reason","code"}]}.
boost::json::object SheetReportJson(const SheetImport& import);

}  // namespace ledger::api
