// GET /v1/reports/monthly/filing (the month's filing package for head office) and
// GET /v1/partners/{id}/statement (a partner's statement), as JSON, CSV or Excel.
#include "api/handler_internal.h"
#include "api/report_formats.h"
#include "api/xlsx_writer.h"
#include "projections/donor_statement.h"
#include "projections/filing_package.h"

namespace ledger::api {
namespace {

constexpr std::string_view kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// The `format` query parameter: one of `allowed` (comma-separated), the first when absent.
Checked<std::string> FormatParameter(const Call& call, std::string_view allowed) {
  const std::string* format = call.Query("format");
  const std::string chosen(format != nullptr ? std::string_view(*format)
                                             : allowed.substr(0, allowed.find(',')));
  if (("," + std::string(allowed) + ",").find("," + chosen + ",") == std::string::npos) {
    std::string options(allowed);
    std::replace(options.begin(), options.end(), ',', '|');
    return ParameterProblem("format", "must be " + options);
  }
  return chosen;
}

// A download: `body` of `content_type`, saved as `filename` (ASCII).
Response Download(std::string body, std::string_view content_type, const std::string& filename) {
  Response response;
  response.content_type = std::string(content_type);
  response.body = std::move(body);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return response;
}

}  // namespace

Step Endpoints::GetFilingPackage(Handler& h, Call& call) {
  const std::string* month_text = call.Query("month");
  const std::optional<MonthKey> month =
      month_text != nullptr ? ParseMonth(*month_text) : std::nullopt;
  if (!month) return Fail(ParameterProblem("month", "is required, as YYYY-MM"));
  Checked<std::string> format = FormatParameter(call, "xlsx,json");
  if (!format.ok()) return Fail(format.problem());
  // Replaying the log takes a while on a long log: off the I/O thread.
  return PendingWork{[&h, month = *month, format = *format] {
    Result<FilingPackage> package = BuildFilingPackage(h.node_.store(), h.signer_, month);
    if (!package.ok()) return Fail(ProblemForStatus(package.status()));
    if (!package->sealed) {
      // Head office files sealed months only: a package whose figures may still change is not
      // one to file (seal the month first: MonthlyReportSealed).
      return Fail(
          MakeProblem(409, "month_not_sealed", "month " + FormatMonth(month) + " is not sealed"));
    }
    if (format == "json") return JsonResponse(200, FilingPackageJson(*package));
    Result<std::string> bytes = WriteXlsx(package->workbook, "每月报送包 " + FormatMonth(month));
    if (!bytes.ok()) return Fail(ProblemForStatus(bytes.status()));
    return Download(std::move(*bytes), kXlsxType, "filing-" + FormatMonth(month) + ".xlsx");
  }};
}

Step Endpoints::GetPartnerStatement(Handler& h, Call& call) {
  const std::string& id = call.params[0];
  if (call.role() == Role::kPartner && id != call.scope()) return Fail(NoSuch("partner", id));
  StatementPeriod period;
  for (const char* name : {"from", "to"}) {
    const std::string* date = call.Query(name);
    if (date == nullptr) continue;
    if (!IsStatementDate(*date)) return Fail(ParameterProblem(name, "must be a date YYYY-MM-DD"));
    (std::string_view(name) == "from" ? period.from_date : period.to_date) = *date;
  }
  Checked<std::string> format = FormatParameter(call, "json,csv,xlsx");
  if (!format.ok()) return Fail(format.problem());
  Result<DonorStatement> statement =
      h.node_.projector().Read([&](const LedgerState& state) -> Result<DonorStatement> {
        return BuildDonorStatement(state, PartnerRef(id), period);
      });
  if (!statement.ok()) return Fail(NoSuch("partner", id));
  const std::string filename = "statement-" + id;
  if (*format == "json") return JsonResponse(200, DonorStatementJson(id, period, *statement));
  if (*format == "csv") {
    return Download(WorkbookCsv(statement->workbook), "text/csv; charset=utf-8", filename + ".csv");
  }
  Result<std::string> bytes = WriteXlsx(statement->workbook, "对账单 " + id);
  if (!bytes.ok()) return Fail(ProblemForStatus(bytes.status()));
  return Download(std::move(*bytes), kXlsxType, filename + ".xlsx");
}

}  // namespace ledger::api
