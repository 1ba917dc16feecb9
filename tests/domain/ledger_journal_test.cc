// The journal behind all-or-nothing batches: Rollback restores the state exactly, also when the
// batch grew the very maps whose entries it changed first. The maps are open-addressing, so
// growing them moves every entry; an undo that held on to an entry instead of its id would
// restore freed memory (AddressSanitizer names it) and leave the change in place.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "domain/ledger_state.h"
#include "tests/domain/event_builder.h"

namespace ledger {
namespace {

using testing::BeijingUs;
using testing::LedgerDriver;

std::vector<std::string> Rows(const LedgerState& state) {
  std::vector<std::string> rows;
  state.ForEachRow([&](Table table, std::string_view key, std::string_view bytes) {
    rows.push_back(std::to_string(static_cast<int>(table)) + "/" + std::string(key) + "/" +
                   std::string(bytes));
  });
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST(LedgerJournalTest, RollbackRestoresEntriesTheBatchMovedByGrowingTheirMaps) {
  LedgerDriver d;
  d.now_us = BeijingUs(2026, 3, 2);
  d.Must("BranchOpened", R"(branch_id: "b1", name: "石园街道")");
  d.Must("PartnerRegistered", R"(partner_id: "c1", name: "中航复合材料", kind: enterprise)");
  d.Must("FundOpened", R"(fund_id: "f1", name: "长者困济帮扶基金", branch_id: "b1")");
  d.Must("DonationReceived",
         R"(donation_id: "d1", partner_id: "c1", fund_id: "f1", amount_fen: 5000, kind: cash)");
  const std::vector<std::string> before = Rows(d.state());

  d.state().Begin();
  // Changes to existing entries of every kind of map first ...
  ASSERT_EQ(d.Run("DonationReceived", R"(donation_id: "d2", partner_id: "c1", fund_id: "f1",
                                         amount_fen: 7000, kind: cash)"),
            "ok");
  ASSERT_EQ(d.Run("DisbursementMade", R"(disbursement_id: "x1", fund_id: "f1", purpose: "aid",
                                         amount_fen: 9000)"),
            "ok");
  // ... then enough new entries that each of those maps grows several times.
  for (int i = 0; i < 3000; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_EQ(
        d.Run("PartnerRegistered", "partner_id: \"p" + n + "\", name: \"企业\", kind: enterprise"),
        "ok");
    ASSERT_EQ(d.Run("FundOpened", "fund_id: \"f-" + n + "\", name: \"基金\", branch_id: \"b1\""),
              "ok");
    ASSERT_EQ(
        d.Run("DonationReceived", "donation_id: \"d-" + n + "\", partner_id: \"p" + n +
                                      "\", fund_id: \"f-" + n + "\", amount_fen: 100, kind: cash"),
        "ok");
  }
  d.state().Rollback();
  EXPECT_EQ(Rows(d.state()), before);
  const Partner* c1 = d.state().FindPartner(PartnerRef("c1"));
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->donated_fen, Fen{5000});
  EXPECT_EQ(c1->used_fen, Fen{});
  EXPECT_EQ(c1->donations.size(), 1u);
}

}  // namespace
}  // namespace ledger
