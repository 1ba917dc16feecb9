// POST /v1/imports/sheet: the onboarding import (api/sheet_import.h) from the console's upload.
// The body is the file itself (text/csv or xlsx); ?dry_run=true checks it and answers the report
// without writing; otherwise the rows' events are appended as one all-or-nothing request. Any
// bad row: 422 invalid_sheet, problem+json carrying the report, and nothing written.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/personal_fields.h"
#include "api/sheet_import.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

// The name a report gives a CSV file (an xlsx's sheets are named by their tabs).
constexpr std::string_view kDefaultSheetName = "上传的文件";

// 422 invalid_sheet with the report's members beside the problem's.
Response SheetProblemResponse(const SheetImport& import, bool dry_run) {
  const std::string detail = "表格中有 " + std::to_string(import.problems_total) +
                             " 处错误，没有导入任何数据（请改正后重新上传）";
  Response response = ProblemResponse(MakeProblem(422, "invalid_sheet", detail));
  json::object body = json::parse(response.body).as_object();
  for (auto& [key, value] : SheetReportJson(import)) body[key] = value;
  body["dry_run"] = dry_run;
  body["imported"] = 0;
  response.body = json::serialize(body);
  return response;
}

}  // namespace

Step Endpoints::PostSheetImport(Handler& h, Call& call) {
  bool dry_run = false;
  if (const std::string* value = call.Query("dry_run")) {
    if (*value != "true" && *value != "false") {
      return Fail(ParameterProblem("dry_run", "must be true or false"));
    }
    dry_run = *value == "true";
  }
  std::string name(kDefaultSheetName);
  if (const std::string* value = call.Query("name")) {
    if (value->empty() || value->size() > kIdBytesMax) {
      return Fail(ParameterProblem("name", "must be a file name of 1-128 bytes"));
    }
    name = *value;
  }
  Result<std::vector<SheetTable>> tables = ReadSheetFile(call.request.body, name);
  SheetImport import;
  if (!tables.ok()) {
    import.AddProblem({name, 0, "", tables.status().message(), "invalid_sheet"});
    return SheetProblemResponse(import, dry_run);
  }
  VaultSealer sealer(h.node_.vault());
  import = BuildSheetImport(*tables, &sealer);
  if (import.ok()) {
    // The whole log replayed into a private state: a rare, operator-started request.
    if (Status status = CheckSheetImport(h.node_.store(), ScopeOf(call), import); !status.ok()) {
      return Fail(ProblemForStatus(status));
    }
  }
  if (!import.ok()) return SheetProblemResponse(import, dry_run);
  json::object report = SheetReportJson(import);
  report["dry_run"] = dry_run;
  if (dry_run || import.drafts.empty()) {
    report["imported"] = 0;
    return JsonResponse(200, report);
  }
  for (EventDraft& draft : import.drafts) draft.actor = call.principal->key_id;
  std::vector<EventDraft> drafts = import.drafts;
  return PendingAppend{std::move(drafts),
                       [import = std::move(import), report = std::move(report)](
                           const Result<std::vector<AppendResult>>& result) mutable {
                         if (!result.ok()) {
                           const StatusCode code = result.status().code();
                           if (code != StatusCode::kRefused && code != StatusCode::kForbidden &&
                               code != StatusCode::kIdConflict) {
                             return Fail(ProblemForStatus(result.status()));
                           }
                           // The ledger changed between the check and the append.
                           SheetImport refused = import;
                           refused.AddProblem(ProblemForRefusal(import, result.status()));
                           return SheetProblemResponse(refused, false);
                         }
                         report["imported"] = result->size();
                         report["position"] = result->back().position.value;
                         return JsonResponse(201, report);
                       }};
}

}  // namespace ledger::api
