// The JSON <-> payload codec: every event type round-trips, and every kind of bad input is a
// problem naming the field at fault.
#include "api/event_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <vector>

#include "api/event_spec.h"
#include "api/rfc3339.h"
#include "domain/civil_time.h"
#include "domain/event_payload.h"
#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"
#include "tests/domain/ledger_scenario.h"

namespace ledger::api {
namespace {
namespace json = boost::json;

// Event types the October scenario does not record, as FlatBuffers JSON.
const std::vector<testing::ScenarioEvent>& ExtraEvents() {
  static const std::vector<testing::ScenarioEvent> events = {
      {"x1", "MemberDeactivated", R"(member_id: "v-1", reason: "moved away")", 0},
      {"x2", "PairingEnded", R"(pairing_id: "p-1", reason: "elder moved")", 0},
      {"x3", "TrainingCompleted",
       R"(training_id: "t-1", member_id: "v-1", course: "急救", minutes: 90)", 0},
      {"x4", "CreditsTransferred",
       R"(transfer_id: "c-1", from_member_id: "v-1", to_member_id: "e-1", minutes: 60,
          reason: "gift")",
       0},
      {"x5", "RestrictionChanged", R"(donation_id: "d-1", consent_ref: "letter-7")", 0},
      {"x6", "PolicySet",
       R"(star_thresholds_hours: [10, 20, 30, 40, 50], credit_value_fen_per_hour: 2500,
          star_bonus_bp: [0, 0, 100, 200, 300, 400], cash_redemption_monthly_cap_fen: 0)",
       0},
  };
  return events;
}

// Every event type's JSON decodes to a payload that encodes back to the same JSON.
TEST(EventCodecTest, EveryEventTypeRoundTrips) {
  std::vector<testing::ScenarioEvent> all = testing::OctoberScenario();
  all.insert(all.end(), ExtraEvents().begin(), ExtraEvents().end());
  std::set<std::string> types;
  for (const testing::ScenarioEvent& event : all) {
    // Recorded by their routes (EncodesRouteTypes; attestations_test.cc and privacy_test.cc read
    // them back).
    if (event.type == "CertificateIssued" || event.type == "AttestationIssued" ||
        event.type == "PersonalDataErased") {
      continue;
    }
    const std::string body =
        testing::ApiFixture::EventJson(event.id, event.type, event.fields, event.occurred_at_us);
    Checked<json::value> parsed = ParseJson(body);
    ASSERT_TRUE(parsed.ok());
    Checked<EventDraft> draft = DecodeEvent(*parsed, "");
    ASSERT_TRUE(draft.ok()) << body << ": " << draft.problem().detail;
    EXPECT_EQ(draft->type, event.type);
    EXPECT_EQ(draft->occurred_at_us, event.occurred_at_us);
    EXPECT_TRUE(draft->stream.empty());  // the decider resolves it
    const events::EventData* data = VerifyEventData(draft->payload);
    ASSERT_NE(data, nullptr);
    // Personal fields are split off into the vault (docs/privacy.md): the rest round-trips.
    json::object expected = parsed->at("data").as_object();
    for (const char* name :
         {"name", "gender", "birth_year", "phone", "lives_alone", "skills", "place", "content"}) {
      if (testing::GivesPersonalFields(event.type, name + std::string(":"))) {
        expected.erase(name);
      }
    }
    EXPECT_EQ(json::serialize(EncodeEventData(*data, true)), json::serialize(expected))
        << event.type;
    types.insert(event.type);
  }
  // Every type of the schema's union but those only routes record: AttestationIssued,
  // CertificateIssued and the rights (AccountOpened, AccountClosed, KeyIssued, KeyRevoked;
  // accounts_test.cc).
  size_t postable = 0;
  for (const events::Data type : events::EnumValuesData()) postable += IsPostable(type) ? 1 : 0;
  EXPECT_EQ(types.size(), postable);
}

// The text writer says byte for byte what serializing the DOM says, for every event type, with
// and without personal fields, with strings that need escaping and with a payload that is not an
// event (an export writes lines with one and reads them back with the other: tools/ledger_export).
TEST(EventCodecTest, StoredEventTextIsTheSerializedDom) {
  std::vector<testing::ScenarioEvent> all = testing::OctoberScenario();
  all.insert(all.end(), ExtraEvents().begin(), ExtraEvents().end());
  size_t compared = 0;
  for (const testing::ScenarioEvent& scenario : all) {
    const std::string body = testing::ApiFixture::EventJson(
        scenario.id, scenario.type, scenario.fields, scenario.occurred_at_us);
    Checked<json::value> parsed = ParseJson(body);
    ASSERT_TRUE(parsed.ok());
    Checked<EventDraft> draft = DecodeEvent(*parsed, "");
    if (!draft.ok()) continue;  // recorded by a route only
    StoredEvent event;
    event.position = Position{1ULL << 40};
    event.id = scenario.id + "\"\\/\b\f\n\r\t\x01\x1f\x7f";
    event.type = draft->type;
    event.stream = "member/v-1 长者";
    event.version = StreamVersion{7};
    event.occurred_at_us = draft->occurred_at_us;
    event.recorded_at_us = draft->occurred_at_us + 61'000'000;
    event.actor = "key:\xe4\xb8\x80\xff";  // invalid UTF-8 is written as it is, by both
    event.payload = draft->payload;
    event.prev_hash.fill(0xa5);
    event.hash.fill(0x0f);
    for (bool personal : {true, false}) {
      std::string text = "prefix:";
      AppendStoredEventJson(event, personal, &text);
      EXPECT_EQ(text, "prefix:" + json::serialize(EncodeStoredEvent(event, personal)))
          << scenario.type;
      ++compared;
    }
  }
  EXPECT_GT(compared, 40U);
  StoredEvent not_an_event;
  not_an_event.payload = "not a FlatBuffers payload, but aligned";
  std::string text;
  AppendStoredEventJson(not_an_event, true, &text);
  EXPECT_EQ(text, json::serialize(EncodeStoredEvent(not_an_event, true)));
}

// A certificate's event reads back with its JSON names (from, to, kinds by name), and no client
// may post one: only its route records it, with figures it counted itself.
TEST(EventCodecTest, EncodesRouteTypes) {
  const std::string payload = testing::Payload(
      "CertificateIssued",
      R"(certificate_id: "ZYK-2026-000001", member_id: "v1", from_date: "2026-10-01",
         to_date: "2026-10-31", verified_minutes: 120, services: 2,
         kinds: [home_visit, respite_care], as_of: 7, digest: "ab")");
  const events::EventData* data = VerifyEventData(payload);
  ASSERT_NE(data, nullptr);
  const std::string encoded = json::serialize(EncodeEventData(*data, false));
  EXPECT_EQ(encoded, R"({"certificate_id":"ZYK-2026-000001","member_id":"v1","from":"2026-10-01",)"
                     R"("to":"2026-10-31","verified_minutes":120,"services":2,)"
                     R"("kinds":["home_visit","respite_care"],"as_of":7,"digest":"ab"})");
  Checked<json::value> posted = ParseJson(
      R"({"id":"c","type":"CertificateIssued","occurred_at":"2026-10-01T09:00:00+08:00","data":)" +
      encoded + "}");
  ASSERT_TRUE(posted.ok());
  EXPECT_FALSE(DecodeEvent(*posted, "").ok());
}

// The payload does not depend on the order of the JSON members (retries must match).
TEST(EventCodecTest, PayloadIsIndependentOfMemberOrder) {
  auto decode = [](std::string_view body) {
    Checked<json::value> parsed = ParseJson(body);
    return DecodeEvent(*parsed, "").value().payload;
  };
  EXPECT_EQ(decode(R"({"id":"a","type":"BranchOpened","occurred_at":"2026-10-01T09:00:00+08:00",
                       "data":{"branch_id":"b","name":"石园街道"}})"),
            decode(R"({"data":{"name":"石园街道","branch_id":"b"},"type":"BranchOpened",
                       "occurred_at":"2026-10-01T01:00:00Z","id":"a"})"));
}

struct BadInput {
  const char* what;
  const char* body;
  const char* code;
  const char* field;
};

// One row per kind of bad input: the problem's code and JSON pointer.
TEST(EventCodecTest, BadInputNamesTheField) {
  const std::string ok_data = R"("data":{"branch_id":"b-1","name":"石园街道"})";
  const std::string head =
      R"({"id":"e-1","type":"BranchOpened","occurred_at":"2026-10-01T09:00:00+08:00",)";
  auto service = [](const std::string& data) {
    return R"({"id":"s","type":"ServiceLogged","occurred_at":"2026-10-01T09:00:00+08:00","data":{)" +
           data + "}}";
  };
  const std::string svc =
      R"("service_id":"s-1","volunteer_id":"v-1","kind":"home_visit","started_at":"2026-10-01T09:00:00+08:00")";
  const std::vector<std::pair<std::string, BadInput>> rows = {
      {head + ok_data + R"(,"extra":1})",
       {"unknown top-level field", "", "invalid_field", "/extra"}},
      {head + R"("data":{"branch_id":"b-1","name":"x","nmae":"y"}})",
       {"unknown data field", "", "invalid_field", "/data/nmae"}},
      {head + R"("data":{"branch_id":"b-1"}})",
       {"missing field", "", "invalid_field", "/data/name"}},
      {head + R"("data":{"branch_id":7,"name":"x"}})",
       {"wrong type", "", "invalid_field", "/data/branch_id"}},
      {head + R"("data":{"branch_id":"b 1","name":"x"}})",
       {"bad id", "", "invalid_field", "/data/branch_id"}},
      {head + R"("data":{"branch_id":")" + std::string(129, 'a') + R"(","name":"x"}})",
       {"id too long", "", "invalid_field", "/data/branch_id"}},
      {head + R"("data":[]})", {"data not an object", "", "invalid_field", "/data"}},
      {R"({"id":"e-1","type":"BranchOpened","occurred_at":"2026-02-30T09:00:00+08:00",)" + ok_data +
           "}",
       {"impossible date", "", "invalid_field", "/occurred_at"}},
      {R"({"id":"e-1","type":"BranchOpened","occurred_at":"2026-10-01 09:00:00",)" + ok_data + "}",
       {"not RFC 3339", "", "invalid_field", "/occurred_at"}},
      {R"({"id":"e-1","type":"BranchOpened",)" + ok_data + "}",
       {"no occurred_at", "", "invalid_field", "/occurred_at"}},
      {R"({"id":"e-1","type":"BranchOpend","occurred_at":"2026-10-01T09:00:00Z",)" + ok_data + "}",
       {"unknown type", "", "unknown_type", "/type"}},
      {R"({"id":"e-1","type":"AttestationIssued","occurred_at":"2026-10-01T09:00:00Z",)" + ok_data +
           "}",
       {"attestations are not posted", "", "unknown_type", "/type"}},
      {head + ok_data + R"(,"expected_version":-1})",
       {"negative expected_version", "", "invalid_field", "/expected_version"}},
      {service(svc + R"(,"minutes":90.5)"), {"non-integer", "", "invalid_field", "/data/minutes"}},
      {service(svc + R"(,"minutes":1e2)"), {"exponent", "", "invalid_field", "/data/minutes"}},
      {service(svc + R"(,"minutes":"90")"),
       {"string number", "", "invalid_field", "/data/minutes"}},
      {service(svc + R"(,"minutes":2147483648)"),
       {"int32 overflow", "", "invalid_field", "/data/minutes"}},
      {service(
           R"("service_id":"s-1","volunteer_id":"v-1","kind":"nap","started_at":"2026-10-01T09:00:00Z","minutes":1)"),
       {"unknown enum", "", "invalid_field", "/data/kind"}},
      {service(
           R"("service_id":"s-1","volunteer_id":"v-1","kind":"home_visit","started_at":"yesterday","minutes":1)"),
       {"bad started_at", "", "invalid_field", "/data/started_at"}},
      {R"({"id":"d","type":"DonationReceived","occurred_at":"2026-10-01T09:00:00Z","data":{"donation_id":"d-1","partner_id":"p","fund_id":"f","amount_fen":9007199254740993,"kind":"cash"}})",
       {"money beyond 2^53", "", "invalid_field", "/data/amount_fen"}},
      {R"({"id":"d","type":"DonationReceived","occurred_at":"2026-10-01T09:00:00Z","data":{"donation_id":"d-1","partner_id":"p","fund_id":"f","amount_fen":100000000000000000000000,"kind":"cash"}})",
       {"money beyond int64", "", "invalid_field", "/data/amount_fen"}},
      {R"({"id":"r","type":"RedemptionMade","occurred_at":"2026-10-01T09:00:00Z","data":{"redemption_id":"r-1","member_id":"v","minutes":60,"reward":"cash","fund_id":"f","amount_fen":1}})",
       {"client-set redemption amount", "", "invalid_field", "/data/amount_fen"}},
      {R"({"id":"v","type":"ServiceVerified","occurred_at":"2026-10-01T09:00:00Z","data":{"service_id":"s","confirmed_by":"e","rating":6}})",
       {"rating out of range", "", "invalid_field", "/data/rating"}},
      {R"({"id":"p","type":"PolicySet","occurred_at":"2026-10-01T09:00:00Z","data":{"star_bonus_bp":[0,1.5]}})",
       {"non-integer list item", "", "invalid_field", "/data/star_bonus_bp/1"}},
      {R"([1,2])", {"not an object", "", "invalid_field", ""}},
  };
  for (const auto& [body, expected] : rows) {
    Checked<json::value> parsed = ParseJson(body);
    ASSERT_TRUE(parsed.ok()) << expected.what;
    Checked<EventDraft> draft = DecodeEvent(*parsed, "");
    ASSERT_FALSE(draft.ok()) << expected.what;
    EXPECT_EQ(draft.problem().status, 400) << expected.what;
    EXPECT_EQ(draft.problem().code, expected.code) << expected.what;
    EXPECT_EQ(draft.problem().field, expected.field) << expected.what;
  }
}

// Malformed JSON and invalid UTF-8 are invalid_json.
TEST(EventCodecTest, MalformedJsonAndInvalidUtf8AreInvalidJson) {
  for (std::string body :
       {std::string(R"({"id":)"), std::string("{\"id\":\"\xff\xfe\"}"), std::string(R"({"a":1,})"),
        std::string(40, '[') + std::string(40, ']'), std::string("")}) {
    Checked<json::value> parsed = ParseJson(body);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.problem().code, "invalid_json");
  }
}

TEST(EventCodecTest, IdsAreOneTo128SafeCharacters) {
  EXPECT_TRUE(IsValidId("svc-0001.log:2_x"));
  EXPECT_TRUE(IsValidId(std::string(128, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(std::string(129, 'a')));
  EXPECT_FALSE(IsValidId("a/b"));
  EXPECT_FALSE(IsValidId("石园"));
}

// RFC 3339 instants: offsets, fractions, calendar checks; output in Beijing time.
TEST(Rfc3339Test, ParsesAndFormatsInstants) {
  const int64_t expected = testing::BeijingUs(2026, 10, 3, 9) + 30 * 60 * 1'000'000LL;
  EXPECT_EQ(ParseInstant("2026-10-03T09:30:00+08:00"), expected);
  EXPECT_EQ(ParseInstant("2026-10-03T01:30:00Z"), expected);
  EXPECT_EQ(ParseInstant("2026-10-02T20:30:00-05:00"), expected);
  EXPECT_EQ(ParseInstant("2026-10-03T01:30:00.25Z"), expected + 250'000);
  EXPECT_EQ(FormatInstant(expected), "2026-10-03T09:30:00+08:00");
  EXPECT_EQ(FormatInstant(expected + 250'000), "2026-10-03T09:30:00.250000+08:00");
  EXPECT_EQ(ParseInstant(FormatInstant(-1)), -1);
  for (const char* bad : {"2026-10-03", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-10-03T24:00:00Z", "2026-10-03T09:30:00", "2026-10-03T09:30:00+8:00",
                          "2026-10-03T09:30:00.Z", "2026-10-03T09:30:00Z ", "x"}) {
    EXPECT_FALSE(ParseInstant(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseInstant("2024-02-29T00:00:00Z").has_value());
}

// The digits written by hand are those of the printf formats they replaced, for instants across
// the whole range (both bounds, around the epoch, fractions with leading zeros), and the buffer
// form writes the same text.
TEST(Rfc3339Test, FormatsInstantsAsPrintfDid) {
  auto printf_text = [](int64_t unix_us) {
    unix_us = std::clamp(unix_us, kInstantMinUs, kInstantMaxUs);
    const int64_t local_us = unix_us + kBeijingOffsetSeconds * 1'000'000;
    const int64_t seconds = local_us / 1'000'000 - (local_us % 1'000'000 < 0);
    const int64_t micros = local_us - seconds * 1'000'000;
    const int64_t days = seconds / 86'400 - (seconds % 86'400 < 0);
    const int64_t second_of_day = seconds - days * 86'400;
    const CivilDate date = CivilFromDays(days);
    char buffer[64];
    int n = std::snprintf(
        buffer, sizeof buffer, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(date.year),
        date.month, date.day, static_cast<int>(second_of_day / 3600),
        static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
    if (micros != 0) {
      n += std::snprintf(buffer + n, sizeof buffer - n, ".%06d", static_cast<int>(micros));
    }
    std::snprintf(buffer + n, sizeof buffer - n, "+08:00");
    return std::string(buffer);
  };
  std::vector<int64_t> instants = {kInstantMinUs,
                                   kInstantMinUs - 1,
                                   kInstantMaxUs,
                                   kInstantMaxUs + 1,
                                   INT64_MIN,
                                   INT64_MAX,
                                   0,
                                   -1,
                                   1,
                                   -1'000'000,
                                   999'999,
                                   1'000'001,
                                   -86'400'000'001};
  uint64_t x = 88172645463325252ULL;  // xorshift: instants spread over the whole range
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const int64_t span = kInstantMaxUs - kInstantMinUs;
    int64_t us = kInstantMinUs + static_cast<int64_t>(x % static_cast<uint64_t>(span));
    if (i % 3 == 0) us -= us % 1'000'000;  // whole seconds: no fraction
    if (i % 3 == 1) us -= us % 1'000'000 - static_cast<int64_t>(x % 1000);  // leading zeros
    instants.push_back(us);
  }
  for (int64_t us : instants) {
    const std::string expected = printf_text(us);
    char buffer[kInstantTextMax];
    ASSERT_EQ(FormatInstant(us), expected) << us;
    ASSERT_EQ(FormatInstant(us, buffer), expected) << us;
  }
}

// Instants are dated 0001-01-02 to 9999-12-29, both as written and in Beijing time, in which they
// are written back: every offset keeps them in years 0001-9999, and what the ledger writes back
// parses again.
TEST(Rfc3339Test, RefusesInstantsThatLeaveFourDigitYears) {
  for (const char* bad :
       {"0000-06-01T00:00:00Z", "9999-12-31T16:00:00Z", "9999-12-31T00:00:00+08:00",
        "9999-12-30T00:00:00+14:00", "0001-01-01T12:00:00Z", "0001-01-01T00:00:00+09:00",
        "9999-12-29T23:59:59.999999-23:59", "0001-01-02T00:00:00+23:59"}) {
    EXPECT_FALSE(ParseInstant(bad).has_value()) << bad;
  }
  const std::optional<int64_t> last = ParseInstant("9999-12-29T15:59:59.999999Z");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(FormatInstant(*last), "9999-12-29T23:59:59.999999+08:00");
  EXPECT_EQ(ParseInstant(FormatInstant(*last)), last);
  const std::optional<int64_t> first = ParseInstant("0001-01-02T00:00:00+08:00");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(FormatInstant(*first), "0001-01-02T00:00:00+08:00");
  EXPECT_FALSE(IsDate("0000-01-01"));
  EXPECT_TRUE(IsDate("9999-12-31"));
}

}  // namespace
}  // namespace ledger::api

namespace ledger::api {
namespace {

// Records what it is given to seal, and answers a fixed commitment.
class RecordingSealer : public PersonalSealer {
 public:
  Checked<SealedFields> Seal(std::string_view subject, std::string_view type,
                             const std::string& fields) override {
    sealed.push_back(std::string(subject) + " " + std::string(type) + " " + fields);
    return SealedFields{std::string(kCommitmentBytes, '\x5a'), nullptr};
  }
  std::vector<std::string> sealed;
};

// The split: personal fields leave the payload for the sealer (JCS, subject: a visit's elder),
// the payload keeps the sealer's commitment; without personal fields nothing is sealed.
TEST(EventCodecTest, PersonalFieldsAreSplitOffForTheSealer) {
  RecordingSealer sealer;
  Checked<json::value> visit = ParseJson(R"({"id":"s","type":"ServiceLogged",
      "occurred_at":"2026-10-02T11:00:00+08:00","data":{"service_id":"s-1","volunteer_id":"v-1",
      "elder_id":"e-1","kind":"home_visit","started_at":"2026-10-02T09:00:00+08:00",
      "minutes":90,"place":"槐花胡同","content":"陪同复诊"}})");
  Checked<EventDraft> draft = DecodeEvent(*visit, "", &sealer);
  ASSERT_TRUE(draft.ok()) << draft.problem().detail;
  ASSERT_EQ(sealer.sealed.size(), 1u);
  EXPECT_EQ(sealer.sealed[0], R"(e-1 ServiceLogged {"content":"陪同复诊","place":"槐花胡同"})");
  EXPECT_EQ(draft->payload.find("槐花胡同"), std::string::npos);
  const auto* logged = VerifyEventData(draft->payload)->data_as_ServiceLogged();
  ASSERT_NE(logged->personal(), nullptr);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(logged->personal()->data()),
                        logged->personal()->size()),
            std::string(kCommitmentBytes, '\x5a'));
  Checked<json::value> update = ParseJson(R"({"id":"u","type":"MemberUpdated",
      "occurred_at":"2026-10-02T11:00:00+08:00","data":{"member_id":"e-1"}})");
  // A correction of nothing has no commitment: the domain refuses it (400 invalid_field).
  Checked<EventDraft> nothing = DecodeEvent(*update, "", &sealer);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(VerifyEventData(nothing->payload)->data_as_MemberUpdated()->personal(), nullptr);
  Checked<json::value> empty_name = ParseJson(R"({"id":"m","type":"MemberRegistered",
      "occurred_at":"2026-10-02T11:00:00+08:00","data":{"member_id":"e-2","kind":"elder",
      "branch_id":"b-1","name":""}})");
  EXPECT_EQ(DecodeEvent(*empty_name, "", &sealer).problem().code, "invalid_field");
  EXPECT_EQ(sealer.sealed.size(), 1u);  // refused input seals nothing
}

}  // namespace
}  // namespace ledger::api
