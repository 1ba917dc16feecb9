// Fund and donor reports: every line present, totals reconcile with the projection, and the
// reconciliation notices a projection that does not add up.
#include "tools/ledger_reports.h"

#include <gtest/gtest.h>

#include "projections/report_workbook.h"
#include "tests/domain/event_builder.h"
#include "tests/domain/ledger_scenario.h"

namespace ledger::tools {
namespace {

class LedgerReportsTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::RunOctoberScenario(driver_); }
  testing::LedgerDriver driver_;
};

TEST_F(LedgerReportsTest, FundReportListsEverythingAndReconciles) {
  auto report = FundReport(driver_.state(), FundRef("f-aid"), ReportFormat::kMarkdown,
                           ReportLanguage::kEnglish);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->reconciled) << report->text;
  const std::string& text = report->text;
  EXPECT_NE(text.find("长者困济帮扶基金"), std::string::npos);
  EXPECT_NE(text.find("| balance | 2,230.00 |"), std::string::npos) << text;
  EXPECT_NE(text.find("| inflow | 7,770.00 |"), std::string::npos);
  EXPECT_NE(text.find("定向捐赠协议-2026-01"), std::string::npos);  // the agreement
  EXPECT_NE(text.find("receipt-001"), std::string::npos);           // the evidence
  EXPECT_NE(text.find("d-avic (p-avic) 2,000.00; sale-gov (p-gov) 500.00"), std::string::npos)
      << text;
  EXPECT_NE(text.find("reversed"), std::string::npos);  // the reversed materials expense
  EXPECT_EQ(text.find("MISMATCH"), std::string::npos);
}

TEST_F(LedgerReportsTest, CsvHasOneRowPerInflowAndOutflowInFen) {
  auto report =
      FundReport(driver_.state(), FundRef("f-aid"), ReportFormat::kCsv, ReportLanguage::kEnglish);
  ASSERT_TRUE(report.ok());
  int inflows = 0, outflows = 0;
  size_t start = 0;
  for (size_t end; (end = report->text.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = report->text.substr(start, end - start);
    if (line.starts_with("inflow,")) ++inflows;
    if (line.starts_with("outflow,")) ++outflows;
  }
  // d-avic, sale-gov, sale-charity, d-wuye, and d-avic-goods: goods in kind, listed with their
  // declared value but no money of the fund.
  EXPECT_EQ(inflows, 5);
  EXPECT_EQ(outflows, 4);  // x-aid1, x-aid2, x-mat (reversed), rd-wang
  EXPECT_NE(report->text.find("total,balance,223000"), std::string::npos) << report->text;
}

TEST_F(LedgerReportsTest, DonorReportShowsEveryUse) {
  auto report = DonorReport(driver_.state(), PartnerRef("p-avic"), ReportFormat::kMarkdown,
                            ReportLanguage::kEnglish);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->reconciled) << report->text;
  EXPECT_NE(report->text.find("| d-avic | "), std::string::npos);
  EXPECT_NE(report->text.find("x-aid1"), std::string::npos);
  EXPECT_NE(report->text.find("e-zhao"), std::string::npos);  // the elder aided
  auto gov = DonorReport(driver_.state(), PartnerRef("p-gov"), ReportFormat::kMarkdown,
                         ReportLanguage::kEnglish);
  ASSERT_TRUE(gov.ok());
  EXPECT_TRUE(gov->reconciled) << gov->text;
  EXPECT_NE(gov->text.find("| purchased | 1,800.00 | 1,800.00 | ok |"), std::string::npos)
      << gov->text;
  EXPECT_EQ(DonorReport(driver_.state(), PartnerRef("nobody"), ReportFormat::kCsv,
                        ReportLanguage::kEnglish)
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST_F(LedgerReportsTest, AProjectionThatDoesNotAddUpIsFlagged) {
  // A stale fund row beside current inflow and outflow rows, as a faulty projection might hold:
  // the fund's figures from before the expense was reversed.
  testing::LedgerDriver before;
  std::vector<testing::ScenarioEvent> events = testing::OctoberScenario();
  for (const auto& event : events) {
    if (event.id == "ev-rv-mat") break;
    before.now_us = event.occurred_at_us;
    ASSERT_EQ(before.RunWithId(event.id, event.type, event.fields), "ok");
  }
  LedgerState mixed;
  driver_.state().ForEachRow([&](Table table, std::string_view key, std::string_view bytes) {
    if (table == Table::kFund) {  // funds opened later (f-hq) keep their current row
      const std::optional<std::string> stale = before.state().EncodeRow(table, key);
      ASSERT_TRUE(mixed.LoadRow(table, key, stale ? *stale : std::string(bytes)));
    } else {
      ASSERT_TRUE(mixed.LoadRow(table, key, bytes));
    }
  });
  mixed.FinishLoad();
  auto report =
      FundReport(mixed, FundRef("f-aid"), ReportFormat::kMarkdown, ReportLanguage::kEnglish);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->reconciled);
  EXPECT_NE(report->text.find("MISMATCH"), std::string::npos);
}

// By default the headings are Chinese, the partner statement's; --lang en gives the English.
TEST_F(LedgerReportsTest, HeadingsAreChineseByDefault) {
  auto donor = DonorReport(driver_.state(), PartnerRef("p-gov"), ReportFormat::kMarkdown);
  ASSERT_TRUE(donor.ok());
  EXPECT_TRUE(donor->reconciled) << donor->text;
  EXPECT_NE(
      donor->text.find("| 日期 | 编号 | 类型 | 基金 | 限定用途 | 支付 | 入基金 | 已使用 | 结余 |"),
      std::string::npos)
      << donor->text;
  EXPECT_NE(donor->text.find("| 购买 | 1,800.00 | 1,800.00 | 一致 |"), std::string::npos)
      << donor->text;
  EXPECT_EQ(donor->text.find("purchased"), std::string::npos);
  auto fund = FundReport(driver_.state(), FundRef("f-aid"), ReportFormat::kCsv);
  ASSERT_TRUE(fund.ok());
  EXPECT_NE(fund->text.find("合计,余额,223000"), std::string::npos) << fund->text;
  EXPECT_NE(fund->text.find("部分,日期,支出编号,支出类型"), std::string::npos) << fund->text;
}

TEST(FormatYuanTest, IntegerFenToYuan) {
  EXPECT_EQ(FormatYuan(-123456), "-1,234.56");
  EXPECT_EQ(FormatYuan(5), "0.05");
  EXPECT_EQ(FormatYuan(100000000), "1,000,000.00");
  EXPECT_EQ(FormatYuan(0), "0.00");
}

}  // namespace
}  // namespace ledger::tools
