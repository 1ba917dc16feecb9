// A volunteer's file: awards and relations kept with the member, corrections that change the
// current values, activities corrected by reversal, and gifted credits that never earn a star
// bonus.
#include <gtest/gtest.h>

#include "domain/ledger_state.h"
#include "tests/domain/event_builder.h"

namespace ledger {
namespace {

using testing::BeijingUs;
using testing::LedgerDriver;

// One branch; a 0★ volunteer (v0) and her daughter, a 5★ volunteer (v5), registered as family;
// an elder; a fund with money. Stars: thresholds of 1..5 hours, v5 has served 6 hours.
void SetUpFamily(LedgerDriver& d) {
  d.now_us = BeijingUs(2026, 9, 1);
  d.Must("BranchOpened", R"(branch_id: "b1", name: "石园街道")");
  d.Must("MemberRegistered", R"(member_id: "v0", kind: volunteer, branch_id: "b1", name: "王")");
  d.Must("MemberRegistered", R"(member_id: "v5", kind: volunteer, branch_id: "b1", name: "李")");
  d.Must("MemberRegistered", R"(member_id: "e1", kind: elder, branch_id: "b1", name: "赵")");
  d.Must("RelationRegistered",
         R"(relation_id: "rel1", member_id: "v0", relative_id: "v5", relation: child)");
  d.Must("PolicySet", "star_thresholds_hours: [1, 2, 3, 4, 5]");
  d.Must("PartnerRegistered", R"(partner_id: "c1", name: "企业", kind: enterprise)");
  d.Must("FundOpened", R"(fund_id: "f1", name: "基金", branch_id: "b1")");
  d.Must("DonationReceived",
         R"(donation_id: "d1", partner_id: "c1", fund_id: "f1", amount_fen: 1000000, kind: cash)");
  d.Must("ServiceLogged", R"(service_id: "s0", volunteer_id: "v0", elder_id: "e1",
                             kind: home_visit, minutes: 30)");
  d.Must("ServiceVerified", R"(service_id: "s0", confirmed_by: "e1")");
  d.Must("ServiceLogged", R"(service_id: "s5", volunteer_id: "v5", elder_id: "e1",
                             kind: home_visit, minutes: 360)");
  d.Must("ServiceVerified", R"(service_id: "s5", confirmed_by: "e1")");
}

// The loophole closed: 30 minutes a 0★ volunteer gives her 5★ daughter are cashed at their plain
// value (1000 fen at 2000 fen/hour), not at +20 % (1200 fen).
TEST(LedgerGiftTest, GiftedCreditsEarnNoStarBonus) {
  LedgerDriver d;
  SetUpFamily(d);
  ASSERT_EQ(d.state().FindMember(MemberRef("v0"))->star, 0);
  ASSERT_EQ(d.state().FindMember(MemberRef("v5"))->star, 5);
  d.Must("CreditsTransferred",
         R"(transfer_id: "t1", from_member_id: "v0", to_member_id: "v5", minutes: 30)");
  EXPECT_EQ(d.state().FindMember(MemberRef("v5"))->gifted_minutes, Minutes{30});
  EXPECT_EQ(d.state().FindMember(MemberRef("v5"))->credit_minutes, Minutes{390});
  // Gifted minutes go first: this redemption is all gift.
  d.Must("RedemptionMade",
         R"(redemption_id: "rd1", member_id: "v5", minutes: 30, reward: cash, fund_id: "f1")");
  EXPECT_EQ(d.last_computed_amount_fen, Fen{1000});
  EXPECT_EQ(d.state().FindMember(MemberRef("v5"))->gifted_minutes, Minutes{});
  // Her own minutes keep their bonus.
  d.Must("RedemptionMade",
         R"(redemption_id: "rd2", member_id: "v5", minutes: 30, reward: cash, fund_id: "f1")");
  EXPECT_EQ(d.last_computed_amount_fen, Fen{1200});
}

// A redemption of gifted and earned minutes together: one rounding over both parts.
TEST(LedgerGiftTest, MixedRedemptionPaysTheBonusOnEarnedMinutesOnly) {
  LedgerDriver d;
  SetUpFamily(d);
  d.Must("CreditsTransferred",
         R"(transfer_id: "t1", from_member_id: "v0", to_member_id: "v5", minutes: 7)");
  d.Must("RedemptionMade",
         R"(redemption_id: "rd1", member_id: "v5", minutes: 20, reward: cash, fund_id: "f1")");
  // 7 × 2000 / 60 + 13 × 2000 × 1.2 / 60 = 233.33 + 520 = 753.33 → 753 fen.
  EXPECT_EQ(d.last_computed_amount_fen, Fen{753});
  // Its reversal gives back the gifted minutes as gifts.
  d.Must("EventReversed",
         R"(reversal_id: "rv1", reverses_id: ")" + d.last_id + R"(", reason: "x")");
  EXPECT_EQ(d.state().FindMember(MemberRef("v5"))->gifted_minutes, Minutes{7});
  EXPECT_EQ(d.state().FindMember(MemberRef("v5"))->credit_minutes, Minutes{367});
}

// Passing gifts on does not launder them: the giver's gifts go first and stay gifts; reversing
// the transfer restores both sides.
TEST(LedgerGiftTest, GiftsPassedOnStayGiftsAndReversalsRestoreThem) {
  LedgerDriver d;
  SetUpFamily(d);
  d.Must("CreditsTransferred",
         R"(transfer_id: "t1", from_member_id: "v0", to_member_id: "v5", minutes: 20)");
  ASSERT_EQ(d.RunWithId("back", "CreditsTransferred",
                        R"(transfer_id: "t2", from_member_id: "v5", to_member_id: "v0",
                           minutes: 25)"),
            "ok");
  const Member* v0 = d.state().FindMember(MemberRef("v0"));
  const Member* v5 = d.state().FindMember(MemberRef("v5"));
  EXPECT_EQ(v5->gifted_minutes, Minutes{});  // her 20 gifted went first, then 5 earned
  EXPECT_EQ(v0->gifted_minutes, Minutes{25});
  EXPECT_EQ(v0->credit_minutes, Minutes{35});
  d.Must("EventReversed", R"(reversal_id: "rv1", reverses_id: "back", reason: "x")");
  v0 = d.state().FindMember(MemberRef("v0"));
  v5 = d.state().FindMember(MemberRef("v5"));
  EXPECT_EQ(v5->gifted_minutes, Minutes{20});
  EXPECT_EQ(v5->credit_minutes, Minutes{380});
  EXPECT_EQ(v0->gifted_minutes, Minutes{});
  EXPECT_EQ(v0->credit_minutes, Minutes{10});
}

// History replays: a transfer recorded before the relative rule and before gifts were tracked
// (no `gift` mark) is accepted from the log and moves plain credits; one marked `gift` is a gift;
// a verification recorded before the confirmation rule replays too. Recording them now refuses
// the first and the last.
TEST(LedgerGiftTest, EventsRecordedUnderEarlierRulesReplay) {
  LedgerDriver d;
  SetUpFamily(d);
  d.Must("MemberRegistered", R"(member_id: "v9", kind: volunteer, branch_id: "b1", name: "孙")");
  d.Must("ServiceLogged", R"(service_id: "s9", volunteer_id: "v5", elder_id: "e1",
                             kind: home_visit, minutes: 30)");
  EXPECT_EQ(d.Run("CreditsTransferred",
                  R"(transfer_id: "old", from_member_id: "v5", to_member_id: "v9", minutes: 30)"),
            "not_a_relative");
  EXPECT_EQ(d.Run("ServiceVerified", R"(service_id: "s9", confirmed_by: "v5")"),
            "invalid_confirmation");
  const std::string hash(32, 'h');
  auto replay = [&](const std::string& id, std::string_view type, std::string_view fields) {
    const std::string payload = testing::Payload(type, fields);
    const events::EventData* data = events::GetEventData(payload.data());
    const std::string stream = d.state().StreamOf(*data);
    const EventMeta meta{1000, EventRef(id), stream, BeijingUs(2026, 9, 2), hash, true};
    return d.state().Execute(meta, *data).outcome;
  };
  EXPECT_EQ(replay("ev-old", "CreditsTransferred",
                   R"(transfer_id: "old", from_member_id: "v5", to_member_id: "v9", minutes: 30)"),
            Outcome::kOk);
  EXPECT_EQ(d.state().FindMember(MemberRef("v9"))->credit_minutes, Minutes{30});
  EXPECT_EQ(d.state().FindMember(MemberRef("v9"))->gifted_minutes, Minutes{});
  EXPECT_EQ(replay("ev-new", "CreditsTransferred",
                   R"(transfer_id: "new", from_member_id: "v0", to_member_id: "v5", minutes: 10,
                      gift: true)"),
            Outcome::kOk);
  EXPECT_EQ(d.state().FindMember(MemberRef("v5"))->gifted_minutes, Minutes{10});
  EXPECT_EQ(replay("ev-ok", "ServiceVerified", R"(service_id: "s9", confirmed_by: "v5")"),
            Outcome::kOk);
  // Reversing the old transfer takes back plain credits.
  d.Must("EventReversed", R"(reversal_id: "rv-old", reverses_id: "ev-old", reason: "x")");
  EXPECT_EQ(d.state().FindMember(MemberRef("v9"))->credit_minutes, Minutes{});
  EXPECT_EQ(d.state().FindMember(MemberRef("v5"))->gifted_minutes, Minutes{10});
}

// Awards and relations are kept with the member (relations on both), corrections are accepted
// (their fields are sealed apart, docs/privacy.md), and all of it survives the row codec.
TEST(LedgerFileTest, AwardsRelationsAndCorrectionsAreKeptWithTheMember) {
  LedgerDriver d;
  SetUpFamily(d);
  d.Must("AwardGranted", R"(award_id: "aw1", member_id: "v0", title: "优秀志愿者",
                            grantor: "石园街道办事处", level: "区级")");
  d.Must("MemberUpdated", R"(member_id: "v0", name: "王秀兰", phone: "13800000001",
                             skills: ["刺绣"])");
  d.Must("MemberUpdated", R"(member_id: "v0", phone: "13800000002")");
  const Member* v0 = d.state().FindMember(MemberRef("v0"));
  ASSERT_EQ(v0->awards.size(), 1u);
  EXPECT_EQ(v0->awards[0].title, "优秀志愿者");
  EXPECT_EQ(v0->awards[0].level, "区级");
  EXPECT_FALSE(v0->erased_at_us);  // the corrections themselves are the vault's
  ASSERT_EQ(v0->relations.size(), 1u);
  EXPECT_EQ(v0->relations[0].relative_id, MemberId("v5"));
  EXPECT_FALSE(v0->relations[0].reverse);
  const Member* v5 = d.state().FindMember(MemberRef("v5"));
  ASSERT_EQ(v5->relations.size(), 1u);
  EXPECT_EQ(v5->relations[0].relative_id, MemberId("v0"));
  EXPECT_EQ(v5->relations[0].relation, events::RelationKind::child);
  EXPECT_TRUE(v5->relations[0].reverse);

  LedgerState loaded;
  d.state().ForEachRow([&](Table table, std::string_view key, std::string_view bytes) {
    ASSERT_TRUE(loaded.LoadRow(table, key, bytes)) << static_cast<int>(table) << " " << key;
  });
  loaded.FinishLoad();
  EXPECT_TRUE(loaded == d.state());
}

// An activity recorded wrongly: its reversal takes it out of the month's figures, and the
// activity is recorded anew with the right numbers.
TEST(LedgerFileTest, ActivityCorrectedByReversalAndRecordedAnew) {
  LedgerDriver d;
  SetUpFamily(d);
  const ReportKey september{BranchId("b1"), *ParseMonth("2026-09")};
  ASSERT_EQ(d.RunWithId("held", "ActivityHeld",
                        R"(activity_id: "a1", branch_id: "b1", title: "重阳节",
                           date: "2026-09-09", participants: 20, beneficiaries: 35)"),
            "ok");
  EXPECT_EQ(d.state().FindReport(september)->activities, 1);
  EXPECT_EQ(d.state().FindReport(september)->beneficiaries, 35);
  d.Must("EventReversed", R"(reversal_id: "rv1", reverses_id: "held", reason: "人数有误")");
  EXPECT_EQ(d.state().FindReport(september)->activities, 0);
  EXPECT_EQ(d.state().FindReport(september)->beneficiaries, 0);
  EXPECT_TRUE(d.state().FindActivity(ActivityRef("a1"))->reversed);
  d.Must("ActivityHeld", R"(activity_id: "a1", branch_id: "b1", title: "重阳节",
                            date: "2026-09-09", participants: 22, beneficiaries: 40)");
  EXPECT_EQ(d.state().FindReport(september)->activities, 1);
  EXPECT_EQ(d.state().FindReport(september)->beneficiaries, 40);
  EXPECT_FALSE(d.state().FindActivity(ActivityRef("a1"))->reversed);
}

}  // namespace
}  // namespace ledger

namespace ledger::testing {
namespace {

// After PersonalDataErased: her figures stay, personal fields for her are refused, erasing
// again is refused, and the erasure survives the row codec.
TEST(LedgerFileTest, AnErasedMemberTakesNoPersonalFields) {
  LedgerDriver d;
  SetUpFamily(d);
  const Member before = *d.state().FindMember(MemberRef("v0"));
  EXPECT_EQ(d.Run("PersonalDataErased", R"(member_id: "v0", reason: "")"), "invalid_field");
  EXPECT_EQ(d.Run("PersonalDataErased", R"(member_id: "nobody", reason: "PIPL")"),
            "unknown_member");
  d.Must("PersonalDataErased", R"(member_id: "v0", reason: "PIPL §47")");
  const Member* after = d.state().FindMember(MemberRef("v0"));
  ASSERT_TRUE(after->erased_at_us);
  EXPECT_EQ(after->credit_minutes, before.credit_minutes);
  EXPECT_EQ(after->verified_minutes, before.verified_minutes);
  EXPECT_EQ(d.Run("PersonalDataErased", R"(member_id: "v0", reason: "again")"), "already_erased");
  EXPECT_EQ(d.Run("MemberUpdated", R"(member_id: "v0", phone: "13800000009")"),
            "personal_data_erased");

  LedgerState loaded;
  d.state().ForEachRow([&](Table table, std::string_view key, std::string_view bytes) {
    ASSERT_TRUE(loaded.LoadRow(table, key, bytes)) << static_cast<int>(table) << " " << key;
  });
  loaded.FinishLoad();
  EXPECT_TRUE(loaded == d.state());
}

}  // namespace
}  // namespace ledger::testing
