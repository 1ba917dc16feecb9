// The onboarding import end to end: rows become events through the API's codec and rules, every
// bad row is reported (sheet, row, column, reason in Chinese), a bad sheet writes nothing, a good
// one is one batch, and the same sheet again writes nothing more. Through the library, through
// POST /v1/imports/sheet, and through `ledgerctl import-sheet` over a real data directory.
#include "api/sheet_import.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <fstream>

#include "api/event_codec.h"
#include "api/rfc3339.h"
#include "domain/event_payload.h"
#include "projections/ledger_node.h"
#include "tests/api/api_fixture.h"
#include "tests/api/sheet_files.h"

namespace ledger::api {
namespace {
using testing::ApiFixture;
using testing::JsonOf;

constexpr std::string_view kMemberHeadings =
    "成员编号,类型(志愿者/老人/青年志愿者),所属站点,姓名,性别,出生年份,电话,独居(是/否),技能,"
    "登记日期\r\n";

// The scenario's branch b-shiyuan gains volunteer m-v and elder m-e, paired, with one visit.
std::string GoodWorkbook() {
  return testing::XlsxOfRows(
      {{"成员",
        {{"成员编号", "类型(志愿者/老人/青年志愿者)", "所属站点", "姓名", "性别", "出生年份",
          "独居(是/否)", "技能", "登记日期"},
         {"m-v", "志愿者", "b-shiyuan", "周玉芬", "女", "1968", "否", "唱歌、手工", "2026-11-02"},
         {"m-e", "老人", "b-shiyuan", "吴大爷", "男", "1938", "是", "", "46328"}}},
       {"结对",
        {{"结对编号", "志愿者编号", "老人编号", "结对日期"}, {"pr-1", "m-v", "m-e", "2026/11/3"}}},
       {"服务",
        {{"服务编号", "志愿者编号", "老人编号", "服务类型", "开始时间", "时长(分钟)", "确认人"},
         {"sv-1", "m-v", "m-e", "上门探访", "46331.375", "90", "m-e"}}},
       {"说明", {{"这张表不导入"}}}});
}

api::Response Upload(ApiFixture& api, std::string_view query, const std::string& body,
                     std::string_view content_type, std::string_view key = testing::kTestAdminKey) {
  api::Request request;
  request.method = "POST";
  request.target = "/v1/imports/sheet" + std::string(query);
  request.authorization = "Bearer " + std::string(key);
  request.content_type = std::string(content_type);
  request.body = body;
  return api.handler().HandleRequest(request);
}

constexpr std::string_view kXlsx =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// Each problem as "row|column|code".
std::vector<std::string> Problems(const SheetImport& import) {
  std::vector<std::string> out;
  for (const SheetProblem& p : import.problems) {
    EXPECT_FALSE(p.reason.empty());
    out.push_back(std::to_string(p.row) + "|" + p.column + "|" + p.code);
  }
  return out;
}

TEST(SheetImportTest, ReportsEveryBadRowWithItsColumnAndReason) {
  ApiFixture api;
  api.LoadScenario();
  const std::string csv =
      std::string(kMemberHeadings) +
      "m-1,志愿者,b-shiyuan,周玉芬,女,1968,13800000000,否,唱歌、手工,2026-11-02\r\n"
      "m-2,老人,b-none,吴大爷,男,1938,,是,,2026-11-02\r\n"
      "m-3,志愿者,b-shiyuan,,女,1970,,否,,2026-11-02\r\n"
      "m-4,学生,b-shiyuan,郑,女,1970,,否,,2026-11-02\r\n"
      "m-5,志愿者,b-shiyuan,冯,女,1970.5,,否,,2026-11-02\r\n"
      "m-6,志愿者,b-shiyuan,陈,女,1970,,否,,2026-02-30\r\n"
      "v-wang,志愿者,b-shiyuan,王秀兰,女,1965,,否,,2026-11-02\r\n"
      "m-1,志愿者,b-shiyuan,周玉芬,女,1968,,否,,2026-11-02\r\n";
  Result<std::vector<SheetTable>> tables = ReadSheetFile(csv, "成员.csv");
  ASSERT_TRUE(tables.ok());
  SheetImport import = BuildSheetImport(*tables);
  ASSERT_TRUE(CheckSheetImport(api.node().ledger().store(), WriteScope::All(), import).ok());
  EXPECT_EQ(Problems(import), (std::vector<std::string>{
                                  "4|姓名|invalid_field",
                                  "5|类型(志愿者/老人/青年志愿者)|invalid_field",
                                  "6|出生年份|invalid_field",
                                  "7|登记日期|invalid_field",
                                  "9|成员编号|duplicate_row",
                                  "3|所属站点|unknown_branch",
                                  "8|成员编号|already_exists",
                              }));
  EXPECT_EQ(import.problems[0].reason, "必填，不能为空");
  EXPECT_EQ(import.problems[5].reason, "站点不存在（请先开设站点）");
  EXPECT_TRUE(import.drafts.empty()) << "a bad sheet keeps nothing to append";
  EXPECT_EQ(import.members, 8u);
}

TEST(SheetImportTest, ServiceRowsAreCheckedByTheDomainRules) {
  ApiFixture api;
  api.LoadScenario();
  const std::string csv =
      "服务编号,志愿者编号,老人编号,服务类型,开始时间,时长(分钟),确认人\n"
      "sv-1,v-wang,e-zhao,上门探访,2026-11-05 09:30,90,e-zhao\n"
      "sv-2,v-wang,e-zhao,上门探访,2026-11-05 14:00,1.5,e-zhao\n"
      "sv-3,v-wang,e-zhao,陪伴,2026-11-06 09:00,800,e-zhao\n"
      "sv-4,v-nobody,e-zhao,陪伴,2026-11-06 09:00,60,e-zhao\n"
      "sv-5,v-wang,e-sun,陪伴,2026-11-06 09:00,60,e-sun\n"
      "sv-6,v-wang,e-zhao,唱歌,2026-11-06 09:00,60,e-zhao\n"
      "sv-7,v-wang,e-zhao,陪伴,2026-11-06 25:00,60,e-zhao\n"
      "sv-8,v-wang,e-zhao,陪伴,2026-11-06 10:00,60,\n";
  Result<std::vector<SheetTable>> tables = ReadSheetFile(csv, "服务.csv");
  ASSERT_TRUE(tables.ok());
  SheetImport import = BuildSheetImport(*tables);
  ASSERT_TRUE(CheckSheetImport(api.node().ledger().store(), WriteScope::All(), import).ok());
  EXPECT_EQ(Problems(import), (std::vector<std::string>{
                                  "3|时长(分钟)|invalid_field",
                                  "7|服务类型|invalid_field",
                                  "8|开始时间|invalid_field",
                                  "9|确认人|invalid_field",
                                  "4|时长(分钟)|invalid_minutes",
                                  "5|志愿者编号|unknown_member",
                                  "6|老人编号|different_branch",
                              }));
}

TEST(SheetImportTest, HeadingsAreCheckedBeforeAnyRow) {
  const std::vector<SheetTable> tables = {
      {"成员", {{"成员编号", "类型", "所属站点", "姓名", "登记日期", "备注"}, {"m-1"}}},
      {"结对", {{"结对编号", "志愿者编号", "老人编号"}, {"p-1", "v", "e"}}},
      {"杂项", {{"序号", "内容"}, {"1", "x"}}},
      {"说明", {{"随便写"}}},
      {"空表", {}}};
  SheetImport import = BuildSheetImport(tables);
  EXPECT_EQ(Problems(import),
            (std::vector<std::string>{"1|备注|invalid_heading", "1|结对日期|invalid_heading",
                                      "1||unknown_sheet"}));
  EXPECT_TRUE(import.drafts.empty());
}

TEST(SheetImportTest, AnImportIsOneAppendRequestAtMost) {
  std::vector<std::vector<std::string>> rows = {
      {"服务编号", "志愿者编号", "服务类型", "开始时间", "时长(分钟)", "确认人"}};
  for (size_t i = 0; i <= kSheetImportEventsMax / 2; ++i) {
    rows.push_back({"s-" + std::to_string(i), "v", "陪伴", "2026-11-05 09:00", "60", "e"});
  }
  SheetImport import = BuildSheetImport({{"服务", rows}});
  ASSERT_EQ(import.problems.size(), 1u);
  EXPECT_EQ(import.problems[0].code, "too_many_rows");
}

TEST(SheetImportTest, TimesAreBeijingTimeWhetherTextOrExcelSerials) {
  Result<std::vector<SheetTable>> tables = ReadSheetFile(GoodWorkbook(), "x.xlsx");
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  SheetImport import = BuildSheetImport(*tables);
  ASSERT_TRUE(import.ok()) << import.problems[0].reason;
  ASSERT_EQ(import.drafts.size(), 5u);
  EXPECT_EQ(import.drafts[0].id, "sheet.member.m-v");
  EXPECT_EQ(import.drafts[0].occurred_at_us, *ParseInstant("2026-11-02T00:00:00+08:00"));
  EXPECT_EQ(import.drafts[1].occurred_at_us, *ParseInstant("2026-11-02T00:00:00+08:00"));  // 46328
  EXPECT_EQ(import.drafts[2].id, "sheet.pairing.pr-1");
  EXPECT_EQ(import.drafts[2].occurred_at_us, *ParseInstant("2026-11-03T00:00:00+08:00"));
  EXPECT_EQ(import.drafts[3].id, "sheet.service.sv-1.logged");
  EXPECT_EQ(import.drafts[3].occurred_at_us, *ParseInstant("2026-11-05T09:00:00+08:00"));
  const boost::json::object data =
      EncodeEventData(*VerifyEventData(import.drafts[3].payload), true);
  EXPECT_EQ(boost::json::serialize(data.at("started_at")), "\"2026-11-05T09:00:00+08:00\"");
  EXPECT_EQ(data.at("minutes").as_int64(), 90);
  // Verified when the visit ended.
  EXPECT_EQ(import.drafts[4].id, "sheet.service.sv-1.verified");
  EXPECT_EQ(import.drafts[4].occurred_at_us, *ParseInstant("2026-11-05T10:30:00+08:00"));
}

TEST(SheetImportTest, UploadPreviewsThenImportsOnceAndIsIdempotent) {
  ApiFixture api;
  api.LoadScenario();
  const Head before = api.head();
  const api::Response preview = Upload(api, "?dry_run=true", GoodWorkbook(), kXlsx);
  ASSERT_EQ(preview.status, 200) << preview.body;
  const boost::json::value report = JsonOf(preview.body);
  EXPECT_EQ(report.at("members").as_int64(), 2);
  EXPECT_EQ(report.at("pairings").as_int64(), 1);
  EXPECT_EQ(report.at("services").as_int64(), 1);
  EXPECT_EQ(report.at("events").as_int64(), 5);
  EXPECT_EQ(report.at("imported").as_int64(), 0);
  EXPECT_EQ(api.head(), before) << "a dry run writes nothing";

  const api::Response imported = Upload(api, "?dry_run=false", GoodWorkbook(), kXlsx);
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(JsonOf(imported.body).at("imported").as_int64(), 5);
  EXPECT_EQ(api.head().next.value, before.next.value + 5);
  const int64_t last = JsonOf(imported.body).at("position").as_int64();
  const api::Response member =
      api.Call("GET", "/v1/members/m-v?min_position=" + std::to_string(last));
  ASSERT_EQ(member.status, 200) << member.body;
  EXPECT_EQ(JsonOf(member.body).at("verified_minutes").as_int64(), 90);

  const Head after = api.head();
  const api::Response again = Upload(api, "", GoodWorkbook(), kXlsx);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(JsonOf(again.body).at("already_imported").as_int64(), 5);
  EXPECT_EQ(JsonOf(again.body).at("imported").as_int64(), 0);
  EXPECT_EQ(api.head(), after) << "the same sheet again writes nothing";
}

TEST(SheetImportTest, ABadRowRefusesTheWholeSheet) {
  ApiFixture api;
  api.LoadScenario();
  const Head before = api.head();
  const std::string csv = testing::Gbk(std::string(kMemberHeadings) +
                                       "m-1,志愿者,b-shiyuan,周玉芬,女,1968,,否,,2026-11-02\r\n"
                                       "m-2,志愿者,b-shiyuan,郑,女,1970,,也许,,2026-11-02\r\n");
  const api::Response answer = Upload(api, "?name=members.csv", csv, "text/csv");
  ASSERT_EQ(answer.status, 422) << answer.body;
  EXPECT_EQ(answer.content_type, "application/problem+json");
  const boost::json::value body = JsonOf(answer.body);
  EXPECT_EQ(body.at("code").as_string(), "invalid_sheet");
  ASSERT_EQ(body.at("problems").as_array().size(), 1u);
  const boost::json::value& problem = body.at("problems").at(0);
  EXPECT_EQ(problem.at("sheet").as_string(), "members.csv");
  EXPECT_EQ(problem.at("row").as_int64(), 3);
  EXPECT_EQ(problem.at("column").as_string(), "独居(是/否)");
  EXPECT_EQ(problem.at("reason").as_string(), "格式不对：应为是或否");
  EXPECT_EQ(api.head(), before) << "the good row m-1 must not be written either";
  EXPECT_EQ(api.Call("GET", "/v1/members/m-1").status, 404);
}

TEST(SheetImportTest, ACoordinatorImportsOnlyIntoItsBranch) {
  ApiFixture api;
  api.LoadScenario();
  const std::string key = api.CreateKey("coordinator", "branch_id", "b-shiyuan");
  const Head before = api.head();
  const std::string csv = std::string(kMemberHeadings) +
                          "m-1,志愿者,b-shiyuan,周玉芬,女,1968,,否,,2026-11-02\r\n"
                          "m-2,志愿者,b-gaoliying,郑,女,1970,,否,,2026-11-02\r\n";
  const api::Response answer = Upload(api, "?dry_run=true", csv, "text/csv", key);
  ASSERT_EQ(answer.status, 422) << answer.body;
  const boost::json::value body = JsonOf(answer.body);
  const boost::json::value& problem = body.at("problems").at(0);
  EXPECT_EQ(problem.at("row").as_int64(), 3);
  EXPECT_EQ(problem.at("column").as_string(), "所属站点");
  EXPECT_EQ(problem.at("code").as_string(), "forbidden");
  EXPECT_EQ(api.head(), before);
  EXPECT_EQ(Upload(api, "", csv, "application/json", key).status, 415);
  EXPECT_EQ(Upload(api, "?dry_run=maybe", csv, "text/csv", key).status, 400);
}

// `ledgerctl import-sheet` over a real data directory: a bad sheet exits 1 naming the row and
// leaves the head where it was; the good sheet exits 0; importing it again appends nothing.
TEST(SheetImportTest, LedgerctlImportSheetOverADataDirectory) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  {
    LedgerNodeOptions options;
    options.data_dir = data;
    auto node = LedgerNode::Open(options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    Checked<boost::json::value> json =
        ParseJson(R"({"id":"b-1","type":"BranchOpened","occurred_at":"2026-01-01T00:00:00+08:00",)"
                  R"("data":{"branch_id":"b-1","name":"石园街道"}})");
    Checked<EventDraft> draft = DecodeEvent(*json, "");
    ASSERT_TRUE(draft.ok());
    ASSERT_TRUE((*node)->store().Append({*draft}).ok());
  }
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() + "/" + name, std::ios::binary) << text;
    return dir.path() + "/" + name;
  };
  auto run = [&](const std::string& arguments, std::string* out) {
    const std::string command =
        std::string(LEDGERCTL_PATH) + " import-sheet --data " + data + " " + arguments + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out->append(buffer, n);
    return WEXITSTATUS(pclose(pipe));
  };
  auto head = [&] {
    LedgerNodeOptions options;
    options.data_dir = data;
    auto node = LedgerNode::Open(options);
    EXPECT_TRUE(node.ok());
    return (*node)->store().GetHead();
  };
  const std::string members =
      write("members.csv", std::string(kMemberHeadings) +
                               "m-v,志愿者,b-1,周玉芬,女,1968,,否,,2026-11-02\r\n"
                               "m-e,老人,b-1,吴大爷,男,1938,,是,,2026-11-02\r\n");
  const std::string bad_services =
      write("services.csv",
            "服务编号,志愿者编号,老人编号,服务类型,开始时间,时长(分钟),确认人\r\n"
            "sv-1,m-v,m-e,陪伴,2026-11-05 09:00,90,m-e\r\n"
            "sv-2,m-v,m-e,陪伴,2026-11-06 09:00,0,m-e\r\n");
  const Head start = head();
  std::string out;
  EXPECT_EQ(run("--in " + members + " --in " + bad_services, &out), 1) << out;
  EXPECT_NE(out.find("services.csv 第 3 行【时长(分钟)】：时长须为 1–720 分钟"), std::string::npos)
      << out;
  EXPECT_EQ(head(), start) << "nothing of a bad import is written";

  const std::string services =
      write("services.csv",
            "服务编号,志愿者编号,老人编号,服务类型,开始时间,时长(分钟),确认人\r\n"
            "sv-1,m-v,m-e,陪伴,2026-11-05 09:00,90,m-e\r\n");
  const std::string report = dir.path() + "/report.json";
  out.clear();
  EXPECT_EQ(run("--in " + members + " --in " + services + " --dry-run", &out), 0) << out;
  EXPECT_EQ(head(), start) << "a dry run writes nothing";
  out.clear();
  EXPECT_EQ(run("--in " + members + " --in " + services + " --report " + report, &out), 0) << out;
  EXPECT_EQ(head().next.value, start.next.value + 4);
  std::ifstream report_in(report);
  std::stringstream report_text;
  report_text << report_in.rdbuf();
  EXPECT_EQ(JsonOf(report_text.str()).at("imported").as_int64(), 4) << report_text.str();
  out.clear();
  EXPECT_EQ(run("--in " + members + " --in " + services, &out), 0) << out;
  EXPECT_NE(out.find("以前已导入 4 个事件"), std::string::npos) << out;
  EXPECT_EQ(head().next.value, start.next.value + 4);
}

}  // namespace
}  // namespace ledger::api
