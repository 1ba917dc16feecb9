#include "api/event_codec.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

#include "api/encoding.h"
#include "api/event_spec.h"
#include "api/jcs.h"
#include "api/rfc3339.h"
#include "domain/assert.h"
#include "domain/civil_time.h"
#include "domain/event_payload.h"
#include "domain/money.h"
#include "domain/policy.h"

namespace ledger::api {
namespace {

namespace json = boost::json;
using flatbuffers::voffset_t;

constexpr int64_t kFenMax = Fen::kMax;  // the domain's bound on any money figure
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
static_assert(kStarLevels == 5, "PolicySet's schema notes say 5 thresholds and 6 bonus values");

FieldSpec Id(const char* name, voffset_t vt, uint8_t flags = kRequired) {
  return {name, vt, Kind::kId, flags};
}
FieldSpec Text(const char* name, voffset_t vt, uint8_t flags = kRequired) {
  return {name, vt, Kind::kText, flags};
}
FieldSpec Enum(const char* name, voffset_t vt, const char* const* names,
               uint8_t flags = kRequired) {
  return {name, vt, Kind::kEnum, flags, 0, 0, names};
}
FieldSpec Int(const char* name, voffset_t vt, uint8_t flags = kRequired, int64_t min = kInt32Min,
              int64_t max = kInt32Max) {
  return {name, vt, Kind::kInt32, flags, min, max};
}
FieldSpec Count(const char* name, voffset_t vt) {
  return {name, vt, Kind::kInt64, kRequired, 0, kStreamVersionMax};
}
FieldSpec EnumList(const char* name, voffset_t vt, const char* const* names) {
  return {name, vt, Kind::kEnumList, kRequired, 0, 0, names};
}
FieldSpec Money(const char* name, voffset_t vt, uint8_t flags = kRequired) {
  return {name, vt, Kind::kMoney, flags, -kFenMax, kFenMax};
}
FieldSpec Of(Kind kind, const char* name, voffset_t vt, uint8_t flags = kRequired) {
  return {name, vt, kind, flags};
}
// An array of objects whose fields are `items` (which must outlive the table: a static).
FieldSpec Tables(const char* name, voffset_t vt, const std::vector<FieldSpec>& items,
                 uint8_t flags = kRequired) {
  FieldSpec field{name, vt, Kind::kTableList, flags};
  field.items = &items;
  return field;
}
// `field` with what its schema says about a domain rule.
FieldSpec Noted(FieldSpec field, SchemaNote note) {
  field.note = note;
  return field;
}

constexpr size_t kEventTypes = static_cast<size_t>(events::Data::MAX);

// The table of Specs(): exactly one row per event type, in the schema's order, so that a type
// added to events.fbs without its row here does not compile, and a row out of order aborts at
// the first use (every test that decodes an event).
template <size_t N>
std::vector<TypeSpec> EveryEventType(TypeSpec (&&rows)[N]) {
  static_assert(N == kEventTypes, "every event type of events.fbs needs its row in Specs()");
  std::vector<TypeSpec> specs;
  for (size_t i = 0; i < N; ++i) {
    LEDGER_ASSERT(rows[i].type == static_cast<events::Data>(i + 1));
    specs.push_back(std::move(rows[i]));
  }
  return specs;
}

// The fields of a right (AccountOpened, AccountClosed, KeyIssued, KeyRevoked): its id, the role
// and the scope fields, as for keys.
template <typename Right>
std::vector<FieldSpec> RightFields(const char* id_name, voffset_t id_vt) {
  return {Id(id_name, id_vt),
          Enum("role", Right::VT_ROLE, events::EnumNamesAccessRole()),
          Id("branch_id", Right::VT_BRANCH_ID, kOptional),
          Id("partner_id", Right::VT_PARTNER_ID, kOptional),
          Id("member_id", Right::VT_MEMBER_ID, kOptional),
          Id("merchant_id", Right::VT_MERCHANT_ID, kOptional)};
}

// The fields of a good given in kind (DonationReceived.items) and of goods handed out
// (GoodsDistributed.items).
const std::vector<FieldSpec>& GoodsItemFields() {
  static const std::vector<FieldSpec> fields = {
      Text("name", events::GoodsItem::VT_NAME),
      Int("quantity", events::GoodsItem::VT_QUANTITY, kRequired, 1, 10'000'000),
      Text("unit", events::GoodsItem::VT_UNIT),
      Money("value_fen", events::GoodsItem::VT_VALUE_FEN)};
  return fields;
}

const std::vector<FieldSpec>& GoodsQuantityFields() {
  static const std::vector<FieldSpec> fields = {
      Text("name", events::GoodsQuantity::VT_NAME),
      Int("quantity", events::GoodsQuantity::VT_QUANTITY, kRequired, 1, 10'000'000)};
  return fields;
}

}  // namespace

const std::vector<TypeSpec>& Specs() {
  using D = events::Data;
  namespace e = events;
  static const std::vector<TypeSpec> specs = EveryEventType({
      {D::BranchOpened,
       {Id("branch_id", e::BranchOpened::VT_BRANCH_ID), Text("name", e::BranchOpened::VT_NAME)}},
      {D::MemberRegistered,
       {Id("member_id", e::MemberRegistered::VT_MEMBER_ID),
        Enum("kind", e::MemberRegistered::VT_KIND, e::EnumNamesMemberKind()),
        Id("branch_id", e::MemberRegistered::VT_BRANCH_ID),
        Text("name", 0, kRequired | kPersonal | kSealed), Text("gender", 0, kPersonal | kSealed),
        Int("birth_year", 0, kPersonal | kSealed, 1900, 2100),
        Text("phone", 0, kPersonal | kSealed),
        Of(Kind::kBool, "lives_alone", 0, kPersonal | kSealed),
        Of(Kind::kTextList, "skills", 0, kPersonal | kSealed)},
       nullptr,
       e::MemberRegistered::VT_PERSONAL,
       {"member_id"}},
      {D::MemberDeactivated,
       {Id("member_id", e::MemberDeactivated::VT_MEMBER_ID),
        Text("reason", e::MemberDeactivated::VT_REASON)}},
      {D::PairingFormed,
       {Id("pairing_id", e::PairingFormed::VT_PAIRING_ID),
        Id("volunteer_id", e::PairingFormed::VT_VOLUNTEER_ID),
        Id("elder_id", e::PairingFormed::VT_ELDER_ID)}},
      {D::PairingEnded,
       {Id("pairing_id", e::PairingEnded::VT_PAIRING_ID),
        Text("reason", e::PairingEnded::VT_REASON)}},
      {D::ServiceLogged,
       {Id("service_id", e::ServiceLogged::VT_SERVICE_ID),
        Id("volunteer_id", e::ServiceLogged::VT_VOLUNTEER_ID),
        Enum("kind", e::ServiceLogged::VT_KIND, e::EnumNamesServiceKind()),
        Of(Kind::kInstant, "started_at", e::ServiceLogged::VT_STARTED_AT_US),
        Noted(Int("minutes", e::ServiceLogged::VT_MINUTES),
              {"1-720, travel excluded (domain rule: 422 invalid_minutes)"}),
        Id("elder_id", e::ServiceLogged::VT_ELDER_ID, kOptional),
        Id("activity_id", e::ServiceLogged::VT_ACTIVITY_ID, kOptional),
        Text("place", 0, kPersonal | kSealed), Text("content", 0, kPersonal | kSealed),
        Noted(Id("request_id", e::ServiceLogged::VT_REQUEST_ID, kOptional),
              {"the service request (ServiceRequested) this visit answers; it must be assigned to "
               "this volunteer and be for this elder_id (domain rules: 422 unknown_request, "
               "request_cancelled, request_resolved, not_assigned, wrong_elder). Verifying the "
               "visit resolves the request"})},
       nullptr,
       e::ServiceLogged::VT_PERSONAL,
       {"elder_id", "volunteer_id"}},
      {D::ServiceVerified,
       {Id("service_id", e::ServiceVerified::VT_SERVICE_ID),
        Noted(Text("confirmed_by", e::ServiceVerified::VT_CONFIRMED_BY),
              {"who vouched: the service's elder, a member registered as the elder's relative, "
               "or someone who is no member (the organiser, a coordinator, an activity lead); "
               "never the volunteer who served (domain rule: 422 invalid_confirmation)"}),
        Int("rating", e::ServiceVerified::VT_RATING, kOptional, 1, 5)}},
      {D::ServiceRejected,
       {Id("service_id", e::ServiceRejected::VT_SERVICE_ID),
        Text("reason", e::ServiceRejected::VT_REASON)}},
      {D::TrainingCompleted,
       {Id("training_id", e::TrainingCompleted::VT_TRAINING_ID),
        Id("member_id", e::TrainingCompleted::VT_MEMBER_ID),
        Text("course", e::TrainingCompleted::VT_COURSE),
        Int("minutes", e::TrainingCompleted::VT_MINUTES)}},
      {D::ActivityHeld,
       {Id("activity_id", e::ActivityHeld::VT_ACTIVITY_ID),
        Id("branch_id", e::ActivityHeld::VT_BRANCH_ID), Text("title", e::ActivityHeld::VT_TITLE),
        Of(Kind::kDate, "date", e::ActivityHeld::VT_DATE),
        Noted(Int("participants", e::ActivityHeld::VT_PARTICIPANTS),
              {nullptr, R"({"minimum": 0})"}),
        Noted(Int("beneficiaries", e::ActivityHeld::VT_BENEFICIARIES),
              {nullptr, R"({"minimum": 0})"})}},
      {D::CreditsTransferred,
       {Id("transfer_id", e::CreditsTransferred::VT_TRANSFER_ID),
        Id("from_member_id", e::CreditsTransferred::VT_FROM_MEMBER_ID),
        Noted(Id("to_member_id", e::CreditsTransferred::VT_TO_MEMBER_ID),
              {"a registered relative of the giver (RelationRegistered) or an elder of her "
               "branch (domain rule: 422 not_a_relative). Received credits are gifts: redeemed "
               "for cash without star bonus, and spent before earned ones"}),
        Int("minutes", e::CreditsTransferred::VT_MINUTES),
        Text("reason", e::CreditsTransferred::VT_REASON, kOptional),
        Of(Kind::kBool, "gift", e::CreditsTransferred::VT_GIFT, kServerOnly)}},
      {D::PartnerRegistered,
       {Id("partner_id", e::PartnerRegistered::VT_PARTNER_ID),
        Text("name", e::PartnerRegistered::VT_NAME),
        Enum("kind", e::PartnerRegistered::VT_KIND, e::EnumNamesPartnerKind())}},
      {D::FundOpened,
       {Id("fund_id", e::FundOpened::VT_FUND_ID), Text("name", e::FundOpened::VT_NAME),
        Id("branch_id", e::FundOpened::VT_BRANCH_ID, kOptional)}},
      {D::DonationReceived,
       {Id("donation_id", e::DonationReceived::VT_DONATION_ID),
        Id("partner_id", e::DonationReceived::VT_PARTNER_ID),
        Id("fund_id", e::DonationReceived::VT_FUND_ID),
        Noted(Money("amount_fen", e::DonationReceived::VT_AMOUNT_FEN),
              {"> 0 (domain rule: 422 invalid_amount)"}),
        Enum("kind", e::DonationReceived::VT_KIND, e::EnumNamesDonationKind()),
        Text("restricted_to", e::DonationReceived::VT_RESTRICTED_TO, kNullable),
        Text("agreement_ref", e::DonationReceived::VT_AGREEMENT_REF, kOptional),
        Text("description", e::DonationReceived::VT_DESCRIPTION, kOptional),
        Noted(Tables("items", e::DonationReceived::VT_ITEMS, GoodsItemFields(), kOptional),
              {"in_kind only, and required then: the goods given, each name once (domain rule: 422 "
               "invalid_items); amount_fen is "
               "the total of their value_fen (domain rule: 422 items_total_mismatch). Goods enter "
               "the fund's goods stock, never its balance"})}},
      {D::RestrictionChanged,
       {Id("donation_id", e::RestrictionChanged::VT_DONATION_ID),
        Text("restricted_to", e::RestrictionChanged::VT_RESTRICTED_TO, kNullable),
        Text("consent_ref", e::RestrictionChanged::VT_CONSENT_REF)}},
      {D::SaleRecorded,
       {Id("sale_id", e::SaleRecorded::VT_SALE_ID), Id("fund_id", e::SaleRecorded::VT_FUND_ID),
        Text("product", e::SaleRecorded::VT_PRODUCT),
        Enum("category", e::SaleRecorded::VT_CATEGORY, e::EnumNamesSaleCategory()),
        Int("quantity", e::SaleRecorded::VT_QUANTITY),
        Money("unit_price_fen", e::SaleRecorded::VT_UNIT_PRICE_FEN),
        Enum("channel", e::SaleRecorded::VT_CHANNEL, e::EnumNamesSaleChannel()),
        Id("buyer_partner_id", e::SaleRecorded::VT_BUYER_PARTNER_ID, kOptional),
        Id("maker_id", e::SaleRecorded::VT_MAKER_ID, kOptional),
        Noted(Int("maker_share_bp", e::SaleRecorded::VT_MAKER_SHARE_BP, kOptional, 0, 10000),
              {"the maker's share in basis points; needs maker_id"})},
       R"({"anyOf": [{"not": {"required": ["maker_share_bp"]}}, {"required": ["maker_id"]}]})"},
      {D::DisbursementMade,
       {Id("disbursement_id", e::DisbursementMade::VT_DISBURSEMENT_ID),
        Id("fund_id", e::DisbursementMade::VT_FUND_ID),
        Text("purpose", e::DisbursementMade::VT_PURPOSE),
        Money("amount_fen", e::DisbursementMade::VT_AMOUNT_FEN),
        Id("elder_id", e::DisbursementMade::VT_ELDER_ID, kOptional),
        Text("description", e::DisbursementMade::VT_DESCRIPTION, kOptional),
        Text("evidence_ref", e::DisbursementMade::VT_EVIDENCE_REF, kOptional)}},
      {D::ExpenseRecorded,
       {Id("expense_id", e::ExpenseRecorded::VT_EXPENSE_ID),
        Id("fund_id", e::ExpenseRecorded::VT_FUND_ID),
        Enum("category", e::ExpenseRecorded::VT_CATEGORY, e::EnumNamesExpenseCategory()),
        Money("amount_fen", e::ExpenseRecorded::VT_AMOUNT_FEN),
        Text("purpose", e::ExpenseRecorded::VT_PURPOSE, kOptional),
        Text("description", e::ExpenseRecorded::VT_DESCRIPTION, kOptional),
        Text("evidence_ref", e::ExpenseRecorded::VT_EVIDENCE_REF, kOptional)}},
      {D::RedemptionMade,
       {Id("redemption_id", e::RedemptionMade::VT_REDEMPTION_ID),
        Id("member_id", e::RedemptionMade::VT_MEMBER_ID),
        Noted(Int("minutes", e::RedemptionMade::VT_MINUTES),
              {"credit-minutes redeemed. The member's gifted ones (gifted_minutes, received by "
               "CreditsTransferred) go first and are cashed without star bonus, her earned ones "
               "with it: amount_fen = floor(value_per_hour × (earned × (10000 + bonus_bp) + "
               "gifted × 10000) / 600000), computed by the ledger"}),
        Enum("reward", e::RedemptionMade::VT_REWARD, e::EnumNamesRewardKind()),
        Noted(Id("fund_id", e::RedemptionMade::VT_FUND_ID, kOptional), {"required for cash"}),
        Noted(Text("course", e::RedemptionMade::VT_COURSE, kOptional), {"required for training"}),
        Money("amount_fen", e::RedemptionMade::VT_AMOUNT_FEN, kServerOnly)},
       R"({"anyOf": [{"properties": {"reward": {"enum": ["cash"]}}, "required": ["fund_id"]},)"
       R"( {"properties": {"reward": {"enum": ["training"]}}, "required": ["course"]}]})"},
      {D::PolicySet,
       // kStarLevels (domain/policy.h) thresholds and one bonus per star 0..kStarLevels.
       {Noted(Of(Kind::kInt32List, "star_thresholds_hours", e::PolicySet::VT_STAR_THRESHOLDS_HOURS,
                 kOptional),
              {nullptr, R"({"minItems": 5, "maxItems": 5})"}),
        Money("credit_value_fen_per_hour", e::PolicySet::VT_CREDIT_VALUE_FEN_PER_HOUR, kOptional),
        Noted(Of(Kind::kInt32List, "star_bonus_bp", e::PolicySet::VT_STAR_BONUS_BP, kOptional),
              {nullptr, R"({"minItems": 6, "maxItems": 6})"}),
        Money("cash_redemption_monthly_cap_fen", e::PolicySet::VT_CASH_REDEMPTION_MONTHLY_CAP_FEN,
              kOptional)}},
      {D::EventReversed,
       {Id("reversal_id", e::EventReversed::VT_REVERSAL_ID),
        Id("reverses_id", e::EventReversed::VT_REVERSES_ID),
        Text("reason", e::EventReversed::VT_REASON)}},
      {D::MonthlyReportSealed,
       {Noted(Id("branch_id", e::MonthlyReportSealed::VT_BRANCH_ID, kOptional),
              {"absent: the whole programme's month, every fund included (an admin's)"}),
        Noted(Of(Kind::kMonth, "month", e::MonthlyReportSealed::VT_MONTH),
              {"a month that has ended in Beijing time by occurred_at, which may not be in the "
               "future (422 month_not_ended)"})}},
      {D::AttestationIssued,
       {Id("attestation_id", e::AttestationIssued::VT_ATTESTATION_ID),
        Id("member_id", e::AttestationIssued::VT_MEMBER_ID),
        Id("merchant_id", e::AttestationIssued::VT_MERCHANT_ID),
        Of(Kind::kInstant, "expires_at", e::AttestationIssued::VT_EXPIRES_AT_US),
        Noted(Text("purpose", e::AttestationIssued::VT_PURPOSE),
              {"what the merchant needs the statement for, 1..200 characters",
               R"({"maxLength": 200})"}),
        Noted(EnumList("discloses", e::AttestationIssued::VT_DISCLOSES, e::EnumNamesDisclosure()),
              {"what the statement discloses (the values are in the statement only)",
               R"({"minItems": 1, "uniqueItems": true})"}),
        Noted(Text("consent_ref", e::AttestationIssued::VT_CONSENT_REF, kOptional),
              {"the member's signed paper consent, when a coordinator or an admin asked"})}},
      {D::AccountOpened,
       RightFields<e::AccountOpened>("account_id", e::AccountOpened::VT_ACCOUNT_ID)},
      {D::AccountClosed,
       RightFields<e::AccountClosed>("account_id", e::AccountClosed::VT_ACCOUNT_ID)},
      {D::KeyIssued, RightFields<e::KeyIssued>("key_id", e::KeyIssued::VT_KEY_ID)},
      {D::KeyRevoked, RightFields<e::KeyRevoked>("key_id", e::KeyRevoked::VT_KEY_ID)},
      {D::CertificateIssued,
       {Id("certificate_id", e::CertificateIssued::VT_CERTIFICATE_ID),
        Id("member_id", e::CertificateIssued::VT_MEMBER_ID),
        Of(Kind::kDate, "from", e::CertificateIssued::VT_FROM_DATE),
        Of(Kind::kDate, "to", e::CertificateIssued::VT_TO_DATE),
        Count("verified_minutes", e::CertificateIssued::VT_VERIFIED_MINUTES),
        Int("services", e::CertificateIssued::VT_SERVICES, kRequired, 0),
        EnumList("kinds", e::CertificateIssued::VT_KINDS, e::EnumNamesServiceKind()),
        Count("as_of", e::CertificateIssued::VT_AS_OF),
        Text("digest", e::CertificateIssued::VT_DIGEST)}},
      {D::CertificateRevoked,
       {Id("certificate_id", e::CertificateRevoked::VT_CERTIFICATE_ID),
        Text("reason", e::CertificateRevoked::VT_REASON)}},
      {D::ServiceRequested,
       {Id("request_id", e::ServiceRequested::VT_REQUEST_ID),
        Noted(Id("elder_id", e::ServiceRequested::VT_ELDER_ID),
              {"an active elder (domain rules: 422 unknown_member, member_inactive, not_an_elder); "
               "the request belongs to the elder's branch"}),
        Enum("need", e::ServiceRequested::VT_NEED, e::EnumNamesRequestNeed()),
        // The elder's need in words, like a service's content: personal.
        Noted(Text("description", e::ServiceRequested::VT_DESCRIPTION, kRequired | kPersonal),
              {"the need in words; personal: shown to admins, the branch's coordinators and the "
               "assigned volunteer"}),
        Of(Kind::kInstant, "wanted_by", e::ServiceRequested::VT_WANTED_BY_US, kOptional),
        Enum("requested_by", e::ServiceRequested::VT_REQUESTED_BY, e::EnumNamesRequester(),
             kOptional),
        Of(Kind::kBool, "urgent", e::ServiceRequested::VT_URGENT, kOptional)}},
      {D::RequestAssigned,
       {Noted(Id("request_id", e::RequestAssigned::VT_REQUEST_ID),
              {"an open or assigned request (domain rules: 422 unknown_request, request_cancelled, "
               "request_resolved); assigning an assigned request to another volunteer reassigns "
               "it"}),
        Noted(Id("volunteer_id", e::RequestAssigned::VT_VOLUNTEER_ID),
              {"an active volunteer of the elder's branch, not the one already assigned (domain "
               "rules: 422 unknown_member, member_inactive, not_a_volunteer, different_branch, "
               "already_assigned)"})}},
      {D::RequestCancelled,
       {Noted(Id("request_id", e::RequestCancelled::VT_REQUEST_ID),
              {"an open or assigned request (domain rules: 422 unknown_request, request_cancelled, "
               "request_resolved)"}),
        Text("reason", e::RequestCancelled::VT_REASON)}},
      {D::GoodsDistributed,
       {Id("distribution_id", e::GoodsDistributed::VT_DISTRIBUTION_ID),
        Noted(Id("donation_id", e::GoodsDistributed::VT_DONATION_ID),
              {"an in-kind donation (domain rules: 422 unknown_donation, unknown_goods)"}),
        Noted(Tables("items", e::GoodsDistributed::VT_ITEMS, GoodsQuantityFields()),
              {"goods of the donation, at least one, each name once (domain rule: 422 "
               "invalid_items); its stock never goes below zero (domain rule: 422 "
               "insufficient_goods)",
               R"({"minItems": 1})"}),
        Id("elder_id", e::GoodsDistributed::VT_ELDER_ID, kOptional),
        Id("activity_id", e::GoodsDistributed::VT_ACTIVITY_ID, kOptional)}},
      {D::GrantReceived,
       {Id("grant_id", e::GrantReceived::VT_GRANT_ID),
        Id("partner_id", e::GrantReceived::VT_PARTNER_ID),
        Id("fund_id", e::GrantReceived::VT_FUND_ID),
        Noted(Money("amount_fen", e::GrantReceived::VT_AMOUNT_FEN),
              {"> 0 (domain rule: 422 invalid_amount)"}),
        Enum("program", e::GrantReceived::VT_PROGRAM, e::EnumNamesGrantProgram()),
        Text("restricted_to", e::GrantReceived::VT_RESTRICTED_TO, kNullable),
        Text("agreement_ref", e::GrantReceived::VT_AGREEMENT_REF, kOptional)}},
      {D::DonorConsentRecorded,
       {Id("consent_id", e::DonorConsentRecorded::VT_CONSENT_ID),
        Id("donation_id", e::DonorConsentRecorded::VT_DONATION_ID),
        Noted(Text("restricted_to", e::DonorConsentRecorded::VT_RESTRICTED_TO, kNullable),
              {"the new purpose the donor consents to; null: unrestricted"}),
        Noted(Text("document_ref", e::DonorConsentRecorded::VT_DOCUMENT_REF, kOptional),
              {"the signed document; required when an admin, not the donor's own key or account, "
               "records it (403)"})}},
      {D::FilingAcknowledged,
       {Noted(Of(Kind::kMonth, "month", e::FilingAcknowledged::VT_MONTH),
              {"a month the whole programme sealed (domain rule: 422 month_not_sealed)"}),
        Text("receipt_ref", e::FilingAcknowledged::VT_RECEIPT_REF),
        Text("acknowledged_by", e::FilingAcknowledged::VT_ACKNOWLEDGED_BY, kOptional)}},
      {D::AwardGranted,
       {Noted(Id("award_id", e::AwardGranted::VT_AWARD_ID),
              {"unique among awards (domain rule: 422 already_exists)"}),
        Noted(Id("member_id", e::AwardGranted::VT_MEMBER_ID),
              {"the member honoured (domain rule: 422 unknown_member); the award is kept in her "
               "file and listed by GET /v1/members/{id}"}),
        Noted(Text("title", e::AwardGranted::VT_TITLE), {"the award (表彰), e.g. 优秀志愿者"}),
        Noted(Text("grantor", e::AwardGranted::VT_GRANTOR, kOptional),
              {"who granted it, e.g. 石园街道办事处"}),
        Noted(Text("level", e::AwardGranted::VT_LEVEL, kOptional), {"e.g. 区级, 市级"})}},
      {D::MemberUpdated,
       {Noted(Id("member_id", e::MemberUpdated::VT_MEMBER_ID),
              {"a registered member (domain rule: 422 unknown_member)"}),
        Text("name", 0, kPersonal | kSealed), Text("gender", 0, kPersonal | kSealed),
        Int("birth_year", 0, kPersonal | kSealed, 1900, 2100),
        Text("phone", 0, kPersonal | kSealed),
        Of(Kind::kBool, "lives_alone", 0, kPersonal | kSealed),
        Noted(Of(Kind::kTextList, "skills", 0, kPersonal | kSealed),
              {"replaces the list; [] clears it"})},
       R"({"description": "A correction of personal data: the fields given replace the current )"
       R"(values, the earlier ones stay in the vault (erasable).", "anyOf": [{"required": )"
       R"(["name"]}, {"required": ["gender"]}, {"required": ["birth_year"]}, {"required": )"
       R"(["phone"]}, {"required": ["lives_alone"]}, {"required": ["skills"]}]})",
       e::MemberUpdated::VT_PERSONAL,
       {"member_id"}},
      {D::RelationRegistered,
       {Noted(Id("relation_id", e::RelationRegistered::VT_RELATION_ID),
              {"unique among relations (domain rule: 422 already_exists)"}),
        Noted(Id("member_id", e::RelationRegistered::VT_MEMBER_ID),
              {"a registered member (domain rule: 422 unknown_member)"}),
        Noted(Id("relative_id", e::RelationRegistered::VT_RELATIVE_ID),
              {"another registered member (domain rules: 422 unknown_member, same_member)"}),
        Noted(Enum("relation", e::RelationRegistered::VT_RELATION, e::EnumNamesRelationKind()),
              {"what relative_id is to member_id"})}},
      {D::AttestationRevoked,
       {Noted(Id("attestation_id", e::AttestationRevoked::VT_ATTESTATION_ID),
              {"an attestation not yet revoked (domain rules: 422 unknown_attestation, "
               "already_revoked)"}),
        Text("reason", e::AttestationRevoked::VT_REASON, kOptional)},
       R"({"description": "Withdraws a statement: POST /v1/attestations/verify then answers 422 )"
       R"(revoked_attestation. The member herself, her branch's coordinator or an admin."})"},
      {D::PersonalDataErased,
       {Id("member_id", e::PersonalDataErased::VT_MEMBER_ID),
        Text("reason", e::PersonalDataErased::VT_REASON)}},
  });
  return specs;
}

const TypeSpec* SpecFor(events::Data type) {
  const auto index = static_cast<size_t>(type);
  if (index == 0 || index > Specs().size()) return nullptr;
  return &Specs()[index - 1];
}

// Types that only a route records, from what it checked itself: attestations (signed statements),
// accounts and keys (rights, written with their credentials).
bool IsPostable(events::Data type) {
  switch (type) {
    case events::Data::AttestationIssued:
    case events::Data::CertificateIssued:
    case events::Data::AccountOpened:
    case events::Data::AccountClosed:
    case events::Data::KeyIssued:
    case events::Data::KeyRevoked:
    case events::Data::PersonalDataErased:
      return false;
    default:
      return SpecFor(type) != nullptr;
  }
}

namespace {

// Scalars are stored like the generated builders store them: a nullable (optional) scalar is
// written whenever given; a plain one is left out when it equals the default 0.
bool IsNullableScalar(const FieldSpec& f) { return (f.flags & kRequired) == 0; }

// A decoded field value waiting to be written into the table.
struct FieldValue {
  const FieldSpec* spec;
  int64_t number = 0;
  flatbuffers::Offset<void> offset;  // strings and vectors
};

// The integer in `v` if it is one within [min, max].
std::optional<int64_t> IntegerIn(const json::value& v, int64_t min, int64_t max) {
  int64_t n;
  if (v.is_int64()) {
    n = v.get_int64();
  } else if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(max) && max >= 0) {
    n = static_cast<int64_t>(v.get_uint64());
  } else {
    return std::nullopt;
  }
  if (n < min || n > max) return std::nullopt;
  return n;
}

std::string RangeText(const FieldSpec& f) {
  return "an integer from " + std::to_string(f.min) + " to " + std::to_string(f.max);
}

class PayloadBuilder {
 public:
  // Decodes every field of `data` (a JSON object) against `spec` into the builder.
  std::optional<Problem> Decode(const TypeSpec& spec, const json::object& data,
                                const std::string& pointer) {
    return DecodeObject(spec.fields, EventTypeName(spec.type), data, pointer);
  }

  // The personal fields given (kSealed), to be sealed apart.
  const json::object& personal() const { return personal_; }

  // Adds the commitment to the personal fields (32 bytes) at `vt`.
  void AddCommitment(flatbuffers::voffset_t vt, std::string_view commitment) {
    commitment_spec_ = FieldSpec{"personal", vt, Kind::kTextList};
    FieldValue value{&commitment_spec_};
    value.offset =
        builder_
            .CreateVector(reinterpret_cast<const uint8_t*>(commitment.data()), commitment.size())
            .Union();
    values_.push_back(value);
  }

  std::string Finish(events::Data type) {
    const flatbuffers::Offset<void> table = WriteTable(values_);
    builder_.Finish(events::CreateEventData(builder_, type, table));
    return std::string(reinterpret_cast<const char*>(builder_.GetBufferPointer()),
                       builder_.GetSize());
  }

 private:
  std::optional<Problem> DecodeObject(const std::vector<FieldSpec>& fields, std::string_view what,
                                      const json::object& data, const std::string& pointer) {
    for (const auto& member : data) {
      const FieldSpec* field = nullptr;
      for (const FieldSpec& f : fields) {
        if (member.key() == f.name) field = &f;
      }
      const std::string at = pointer + "/" + PointerToken(member.key());
      if (field == nullptr) {
        return FieldProblem(
            at, "unknown field '" + std::string(member.key()) + "' in " + std::string(what));
      }
      if (field->flags & kServerOnly) {
        return FieldProblem(
            at, std::string(field->name) + " is computed by the ledger; clients may not send it");
      }
    }
    for (const FieldSpec& f : fields) {
      const std::string at = pointer + "/" + f.name;
      const json::value* v = data.if_contains(f.name);
      if (v != nullptr && v->is_null() && (f.flags & kNullable)) v = nullptr;
      if (v == nullptr) {
        if (f.flags & kRequired) return FieldProblem(at, std::string(f.name) + " is required");
        continue;
      }
      if (f.flags & kSealed) {
        // Checked in a scratch builder, whose bytes are dropped: the payload never holds it.
        PayloadBuilder scratch;
        if (std::optional<Problem> problem = scratch.DecodeField(f, *v, at)) return problem;
        personal_[f.name] = *v;
        continue;
      }
      if (std::optional<Problem> problem = DecodeField(f, *v, at)) return problem;
    }
    return std::nullopt;
  }

  // Writes one table of `values` (whose strings and vectors are already in the buffer).
  flatbuffers::Offset<void> WriteTable(const std::vector<FieldValue>& values) {
    const flatbuffers::uoffset_t start = builder_.StartTable();
    for (const FieldValue& value : values) {
      const FieldSpec& f = *value.spec;
      switch (f.kind) {
        case Kind::kEnum:
          if (IsNullableScalar(f)) {
            builder_.AddElement<int8_t>(f.vt, static_cast<int8_t>(value.number));
          } else {
            builder_.AddElement<int8_t>(f.vt, static_cast<int8_t>(value.number), 0);
          }
          break;
        case Kind::kBool:
          builder_.AddElement<uint8_t>(f.vt, static_cast<uint8_t>(value.number));
          break;
        case Kind::kInt32:
          if (IsNullableScalar(f)) {
            builder_.AddElement<int32_t>(f.vt, static_cast<int32_t>(value.number));
          } else {
            builder_.AddElement<int32_t>(f.vt, static_cast<int32_t>(value.number), 0);
          }
          break;
        case Kind::kMoney:
        case Kind::kInstant:
        case Kind::kInt64:
          if (IsNullableScalar(f)) {
            builder_.AddElement<int64_t>(f.vt, value.number);
          } else {
            builder_.AddElement<int64_t>(f.vt, value.number, 0);
          }
          break;
        default:
          builder_.AddOffset(f.vt, value.offset);
      }
    }
    return flatbuffers::Offset<void>(builder_.EndTable(start));
  }

  std::optional<Problem> DecodeField(const FieldSpec& f, const json::value& v,
                                     const std::string& at) {
    FieldValue value{&f};
    auto text = [&](size_t max_bytes, const char* what) -> std::optional<Problem> {
      if (!v.is_string() || v.get_string().empty() || v.get_string().size() > max_bytes) {
        return FieldProblem(at, std::string(f.name) + " must be " + what);
      }
      return std::nullopt;
    };
    switch (f.kind) {
      case Kind::kId:
        if (!v.is_string() || !IsValidId(v.get_string())) {
          return FieldProblem(at, std::string(f.name) +
                                      " must be an id: 1 to 128 characters of A-Z a-z 0-9 . _ : -");
        }
        value.offset = builder_.CreateString(v.get_string().data(), v.get_string().size()).Union();
        break;
      case Kind::kText:
        if (auto p = text(kTextBytesMax, "a non-empty string of at most 4096 bytes")) return p;
        value.offset = builder_.CreateString(v.get_string().data(), v.get_string().size()).Union();
        break;
      case Kind::kDate:
        if (!v.is_string() || !IsDate(v.get_string())) {
          return FieldProblem(at, std::string(f.name) + " must be a date YYYY-MM-DD");
        }
        value.offset = builder_.CreateString(v.get_string().data(), v.get_string().size()).Union();
        break;
      case Kind::kMonth:
        if (!v.is_string() || !ParseMonth(v.get_string())) {
          return FieldProblem(at, std::string(f.name) + " must be a month YYYY-MM");
        }
        value.offset = builder_.CreateString(v.get_string().data(), v.get_string().size()).Union();
        break;
      case Kind::kEnum: {
        std::optional<int64_t> index;
        if (v.is_string()) {
          for (int64_t i = 0; f.enum_names[i] != nullptr; ++i) {
            if (v.get_string() == f.enum_names[i]) index = i;
          }
        }
        if (!index) {
          std::string names;
          for (int i = 0; f.enum_names[i] != nullptr; ++i) {
            names += (i == 0 ? "" : ", ") + std::string(f.enum_names[i]);
          }
          return FieldProblem(at, std::string(f.name) + " must be one of: " + names);
        }
        value.number = *index;
        break;
      }
      case Kind::kInt32:
      case Kind::kInt64:
      case Kind::kMoney: {
        std::optional<int64_t> n = IntegerIn(v, f.min, f.max);
        if (!n) return FieldProblem(at, std::string(f.name) + " must be " + RangeText(f));
        value.number = *n;
        break;
      }
      case Kind::kInstant: {
        std::optional<int64_t> us = v.is_string() ? ParseInstant(v.get_string()) : std::nullopt;
        if (!us) {
          return FieldProblem(
              at,
              std::string(f.name) + " must be an RFC 3339 instant, e.g. 2026-10-03T09:30:00+08:00");
        }
        value.number = *us;
        break;
      }
      case Kind::kBool:
        if (!v.is_bool()) return FieldProblem(at, std::string(f.name) + " must be true or false");
        value.number = v.get_bool() ? 1 : 0;
        break;
      case Kind::kEnumList: {
        if (!v.is_array() || v.get_array().size() > kListItemsMax) {
          return FieldProblem(at, std::string(f.name) + " must be an array of at most 64 items");
        }
        std::vector<int8_t> indexes;
        for (size_t i = 0; i < v.get_array().size(); ++i) {
          const json::value& item = v.get_array()[i];
          std::optional<int8_t> index;
          for (int8_t n = 0; item.is_string() && f.enum_names[n] != nullptr; ++n) {
            if (item.get_string() == f.enum_names[n]) index = n;
          }
          if (!index) return FieldProblem(at + "/" + std::to_string(i), "must be a known name");
          indexes.push_back(*index);
        }
        value.offset = builder_.CreateVector(indexes).Union();
        break;
      }
      case Kind::kTableList: {
        if (!v.is_array() || v.get_array().size() > kListItemsMax) {
          return FieldProblem(at, std::string(f.name) + " must be an array of at most 64 objects");
        }
        std::vector<flatbuffers::Offset<void>> tables;
        std::vector<FieldValue> outer;
        outer.swap(values_);  // each item's fields are decoded into a fresh list
        for (size_t i = 0; i < v.get_array().size(); ++i) {
          const json::value& item = v.get_array()[i];
          const std::string item_at = at + "/" + std::to_string(i);
          std::optional<Problem> problem =
              item.is_object() ? DecodeObject(*f.items, f.name, item.get_object(), item_at)
                               : FieldProblem(item_at, "must be a JSON object");
          if (problem) return problem;
          tables.push_back(WriteTable(values_));
          values_.clear();
        }
        values_.swap(outer);
        value.offset = builder_.CreateVector(tables).Union();
        break;
      }
      case Kind::kTextList:
      case Kind::kInt32List: {
        if (!v.is_array() || v.get_array().size() > kListItemsMax) {
          return FieldProblem(at, std::string(f.name) + " must be an array of at most 64 items");
        }
        const json::array& items = v.get_array();
        if (f.kind == Kind::kInt32List) {
          std::vector<int32_t> numbers;
          for (size_t i = 0; i < items.size(); ++i) {
            std::optional<int64_t> n = IntegerIn(items[i], kInt32Min, kInt32Max);
            if (!n) return FieldProblem(at + "/" + std::to_string(i), "must be an int32 integer");
            numbers.push_back(static_cast<int32_t>(*n));
          }
          value.offset = builder_.CreateVector(numbers).Union();
        } else {
          std::vector<flatbuffers::Offset<flatbuffers::String>> strings;
          for (size_t i = 0; i < items.size(); ++i) {
            const json::value& item = items[i];
            if (!item.is_string() || item.get_string().empty() ||
                item.get_string().size() > kTextBytesMax) {
              return FieldProblem(at + "/" + std::to_string(i), "must be a non-empty string");
            }
            strings.push_back(
                builder_.CreateString(item.get_string().data(), item.get_string().size()));
          }
          value.offset = builder_.CreateVector(strings).Union();
        }
        break;
      }
    }
    values_.push_back(value);
    return std::nullopt;
  }

  flatbuffers::FlatBufferBuilder builder_{512};
  std::vector<FieldValue> values_;
  json::object personal_;
  FieldSpec commitment_spec_{};
};

// The subject of `data`'s personal fields: the first of the spec's subject fields given.
std::string SubjectOf(const TypeSpec& spec, const json::object& data) {
  for (const char* name : spec.subject_fields) {
    if (const json::value* id = data.if_contains(name); id != nullptr && id->is_string()) {
      return std::string(id->get_string());
    }
  }
  return {};
}

json::string_view View(const flatbuffers::String* s) { return {s->data(), s->size()}; }

}  // namespace

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > kIdBytesMax) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string PointerToken(std::string_view name) {
  std::string token;
  for (char c : name) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

Checked<json::value> ParseJson(std::string_view body) {
  constexpr size_t kBodyDepthMax = 32;
  std::string error;
  std::optional<json::value> value = ParseStrictJson(body, kBodyDepthMax, &error);
  if (!value) {
    return MakeProblem(400, "invalid_json", "the body is not valid UTF-8 JSON: " + error);
  }
  return std::move(*value);
}

Checked<const json::object*> AsObject(const json::value& value, const std::string& pointer) {
  if (!value.is_object()) {
    return FieldProblem(
        pointer, (pointer.empty() ? std::string("the body") : pointer) + " must be a JSON object");
  }
  return &value.get_object();
}

Checked<bool> OnlyFields(const json::object& object, const std::string& pointer,
                         std::initializer_list<std::string_view> allowed) {
  for (const auto& member : object) {
    bool known = false;
    for (std::string_view name : allowed) known = known || member.key() == name;
    if (!known) {
      return FieldProblem(pointer + "/" + PointerToken(member.key()),
                          "unknown field '" + std::string(member.key()) + "'");
    }
  }
  return true;
}

Checked<json::object> ObjectBody(std::string_view body,
                                 std::initializer_list<std::string_view> allowed) {
  Checked<json::value> parsed = ParseJson(body);
  if (!parsed.ok()) return parsed.problem();
  Checked<const json::object*> object = AsObject(*parsed, "");
  if (!object.ok()) return object.problem();
  Checked<bool> known = OnlyFields(**object, "", allowed);
  if (!known.ok()) return known.problem();
  return std::move(parsed->as_object());
}

Checked<EventDraft> DecodeEvent(const json::value& value, const std::string& pointer,
                                PersonalSealer* sealer) {
  Checked<const json::object*> object = AsObject(value, pointer);
  if (!object.ok()) return object.problem();
  const json::object& event = **object;
  Checked<bool> known =
      OnlyFields(event, pointer, {"id", "type", "occurred_at", "expected_version", "data"});
  if (!known.ok()) return known.problem();

  EventDraft draft;
  const json::value* id = event.if_contains("id");
  if (id == nullptr || !id->is_string() || !IsValidId(id->get_string())) {
    return FieldProblem(
        pointer + "/id",
        "id (the idempotency key) must be 1 to 128 characters of A-Z a-z 0-9 . _ : -");
  }
  draft.id = std::string(id->get_string());
  const json::value* type = event.if_contains("type");
  if (type == nullptr || !type->is_string()) {
    return FieldProblem(pointer + "/type", "type must be an event type name");
  }
  std::optional<events::Data> data_type = EventTypeFromName(type->get_string());
  const TypeSpec* spec = data_type ? SpecFor(*data_type) : nullptr;
  if (spec == nullptr || !IsPostable(*data_type)) {
    return MakeProblem(400, "unknown_type",
                       data_type ? std::string(type->get_string()) +
                                       " is recorded by its route (POST "
                                       "/v1/members/{id}/attestations, /v1/accounts, /v1/keys...), "
                                       "not posted directly"
                                 : "unknown event type '" + std::string(type->get_string()) + "'",
                       pointer + "/type");
  }
  draft.type = std::string(type->get_string());
  const json::value* occurred_at = event.if_contains("occurred_at");
  std::optional<int64_t> occurred_us = occurred_at != nullptr && occurred_at->is_string()
                                           ? ParseInstant(occurred_at->get_string())
                                           : std::nullopt;
  if (!occurred_us) {
    return FieldProblem(pointer + "/occurred_at",
                        "occurred_at must be an RFC 3339 instant, e.g. 2026-10-03T09:30:00+08:00");
  }
  draft.occurred_at_us = *occurred_us;
  // Optional, but never null: null is not a version, and a client that meant "no check" omits
  // the field (the schema says so too).
  if (const json::value* expected = event.if_contains("expected_version")) {
    std::optional<int64_t> version = IntegerIn(*expected, 0, kStreamVersionMax);
    if (!version) {
      return FieldProblem(pointer + "/expected_version",
                          "expected_version must be a non-negative integer");
    }
    draft.expected_version = StreamVersion{static_cast<uint64_t>(*version)};
  }
  const json::value* data = event.if_contains("data");
  if (data == nullptr || !data->is_object()) {
    return FieldProblem(pointer + "/data", "data must be a JSON object");
  }
  PayloadBuilder builder;
  if (std::optional<Problem> problem =
          builder.Decode(*spec, data->get_object(), pointer + "/data")) {
    return *problem;
  }
  if (!builder.personal().empty()) {
    // The split: the fields go to the vault, their commitment into the payload.
    const std::string subject = SubjectOf(*spec, data->get_object());
    LEDGER_ASSERT(!subject.empty());  // every subject field list ends with a required id
    std::string commitment(kCommitmentBytes, '\0');
    if (sealer != nullptr) {
      Checked<SealedFields> sealed =
          sealer->Seal(subject, draft.type, CanonicalJson(builder.personal()));
      if (!sealed.ok()) return sealed.problem();
      commitment = std::move(sealed->commitment);
      draft.side = std::move(sealed->side);
    }
    builder.AddCommitment(spec->personal_vt, commitment);
  }
  draft.payload = builder.Finish(*data_type);
  return draft;
}

Checked<std::vector<EventDraft>> DecodeBatch(const json::value& value, size_t events_max,
                                             PersonalSealer* sealer) {
  Checked<const json::object*> object = AsObject(value, "");
  if (!object.ok()) return object.problem();
  Checked<bool> known = OnlyFields(**object, "", {"events"});
  if (!known.ok()) return known.problem();
  const json::value* events = (*object)->if_contains("events");
  if (events == nullptr || !events->is_array() || events->get_array().empty() ||
      events->get_array().size() > events_max) {
    return FieldProblem(
        "/events", "events must be an array of 1 to " + std::to_string(events_max) + " events");
  }
  std::vector<EventDraft> drafts;
  const json::array& items = events->get_array();
  for (size_t i = 0; i < items.size(); ++i) {
    Checked<EventDraft> draft = DecodeEvent(items[i], "/events/" + std::to_string(i), sealer);
    if (!draft.ok()) return draft.problem();
    drafts.push_back(std::move(*draft));
  }
  return drafts;
}

namespace {

// Walks the fields of `table` that an event's JSON shows, in `fields` order, telling `sink` what
// to write: Key(name) before each member's value, then String, Null, Int, Bool, or Begin/End of
// an array or object. One walk for both outputs (the DOM of EncodeEventData, the text of
// AppendEventDataJson), so they cannot drift apart.
template <class Sink>
void VisitFields(const flatbuffers::Table* table, const std::vector<FieldSpec>& fields,
                 bool personal, Sink& sink) {
  for (const FieldSpec& f : fields) {
    if (f.flags & kSealed) continue;  // not in the payload: the vault's (PersonalFieldsFor)
    if ((f.flags & kPersonal) && !personal) continue;
    switch (f.kind) {
      case Kind::kId:
      case Kind::kText:
      case Kind::kDate:
      case Kind::kMonth:
        if (const auto* s = table->GetPointer<const flatbuffers::String*>(f.vt)) {
          sink.Key(f.name);
          sink.String(View(s));
        } else if (f.flags & kNullable) {
          sink.Key(f.name);
          sink.Null();
        }
        break;
      case Kind::kEnum: {
        if (IsNullableScalar(f) && !table->CheckField(f.vt)) break;
        // FlatBuffers' verifier does not check enum values, and envelopes from Kafka or an
        // export are outside bytes: a value without a name is shown as the number it is.
        const int8_t value = table->GetField<int8_t>(f.vt, 0);
        int8_t names = 0;
        while (f.enum_names[names] != nullptr) ++names;
        sink.Key(f.name);
        if (value >= 0 && value < names) {
          sink.String(f.enum_names[value]);
        } else {
          sink.Int(value);
        }
        break;
      }
      case Kind::kBool:
        if (table->CheckField(f.vt)) {
          sink.Key(f.name);
          sink.Bool(table->GetField<uint8_t>(f.vt, 0) != 0);
        }
        break;
      case Kind::kInt32:
        if (!IsNullableScalar(f) || table->CheckField(f.vt)) {
          sink.Key(f.name);
          sink.Int(table->GetField<int32_t>(f.vt, 0));
        }
        break;
      case Kind::kMoney:
      case Kind::kInt64:
        if (!IsNullableScalar(f) || table->CheckField(f.vt)) {
          sink.Key(f.name);
          sink.Int(table->GetField<int64_t>(f.vt, 0));
        }
        break;
      case Kind::kEnumList:
        if (const auto* list = table->GetPointer<const flatbuffers::Vector<int8_t>*>(f.vt)) {
          int8_t names = 0;
          while (f.enum_names[names] != nullptr) ++names;
          sink.Key(f.name);
          sink.BeginArray();
          for (int8_t n : *list) {
            if (n >= 0 && n < names) {
              sink.String(f.enum_names[n]);
            } else {
              sink.Int(n);
            }
          }
          sink.EndArray();
        }
        break;
      case Kind::kInstant:
        if (!IsNullableScalar(f) || table->CheckField(f.vt)) {
          sink.Key(f.name);
          char instant[kInstantTextMax];
          sink.String(FormatInstant(table->GetField<int64_t>(f.vt, 0), instant));
        }
        break;
      case Kind::kTextList:
        if (const auto* list =
                table->GetPointer<
                    const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>*>(f.vt)) {
          sink.Key(f.name);
          sink.BeginArray();
          for (const flatbuffers::String* s : *list) sink.String(View(s));
          sink.EndArray();
        }
        break;
      case Kind::kInt32List:
        if (const auto* list = table->GetPointer<const flatbuffers::Vector<int32_t>*>(f.vt)) {
          sink.Key(f.name);
          sink.BeginArray();
          for (int32_t n : *list) sink.Int(n);
          sink.EndArray();
        }
        break;
      case Kind::kTableList:
        if (const auto* list =
                table->GetPointer<
                    const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::Table>>*>(f.vt)) {
          sink.Key(f.name);
          sink.BeginArray();
          for (const flatbuffers::Table* item : *list) {
            sink.BeginObject();
            VisitFields(item, *f.items, personal, sink);
            sink.EndObject();
          }
          sink.EndArray();
        }
        break;
    }
  }
}

// Builds a DOM: each value goes to the key last named in the innermost object (replacing one
// there before, as object[key] = value does), or to the end of the innermost array.
class DomSink {
 public:
  explicit DomSink(json::value& root) : open_{&root} {}
  void Key(std::string_view key) { key_ = key; }
  void String(std::string_view s) { Slot() = json::string(s); }
  void Null() { Slot() = nullptr; }
  void Int(int64_t n) { Slot() = n; }
  void Bool(bool b) { Slot() = b; }
  void BeginArray() { Open().emplace_array(); }
  void BeginObject() { Open().emplace_object(); }
  void EndArray() { open_.pop_back(); }
  void EndObject() { open_.pop_back(); }

 private:
  json::value& Slot() {
    json::value& top = *open_.back();
    if (top.is_object()) return top.get_object()[key_];
    return top.get_array().emplace_back(nullptr);
  }
  // The slot of a new array or object, which stays where it is while it is open: only what is
  // inside it grows.
  json::value& Open() {
    json::value& slot = Slot();
    open_.push_back(&slot);
    return slot;
  }
  std::vector<json::value*> open_;
  std::string_view key_;
};

// Writes JSON text into a string, byte for byte as boost::json::serialize writes the DOM that
// DomSink builds from the same calls: no spaces, members in the order given, strings escaped as
// Boost.JSON escapes them (", \\, \b \t \n \f \r, other controls as \u00xx, everything else
// as it is), integers in decimal.
class TextSink {
 public:
  explicit TextSink(std::string* out) : out_(out) {}
  void Key(std::string_view key) {
    Separate();
    AppendString(key);
    out_->push_back(':');
    after_key_ = true;
  }
  void String(std::string_view s) {
    BeforeValue();
    AppendString(s);
  }
  void Null() {
    BeforeValue();
    out_->append("null");
  }
  void Int(int64_t n) { Number(n); }
  void Unsigned(uint64_t n) { Number(n); }
  // A hash as a string of lowercase hex, as HexOf.
  void Hex(const Hash& hash) {
    static constexpr char kDigits[] = "0123456789abcdef";
    BeforeValue();
    out_->push_back('"');
    for (uint8_t byte : hash) {
      out_->push_back(kDigits[byte >> 4]);
      out_->push_back(kDigits[byte & 0xF]);
    }
    out_->push_back('"');
  }
  void Bool(bool b) {
    BeforeValue();
    out_->append(b ? "true" : "false");
  }
  void BeginArray() { Begin('['); }
  void BeginObject() { Begin('{'); }
  void EndArray() { End(']'); }
  void EndObject() { End('}'); }

 private:
  template <class Integer>
  void Number(Integer n) {
    BeforeValue();
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof(digits), n).ptr;
    out_->append(digits, end);
  }
  void Separate() {
    if (!first_.empty() && !first_.back()) out_->push_back(',');
    if (!first_.empty()) first_.back() = false;
  }
  void BeforeValue() {
    if (after_key_) {
      after_key_ = false;
    } else {
      Separate();
    }
  }
  void Begin(char bracket) {
    BeforeValue();
    out_->push_back(bracket);
    first_.push_back(true);
  }
  void End(char bracket) {
    out_->push_back(bracket);
    first_.pop_back();
  }
  void AppendString(std::string_view s) { AppendJsonString(s, *out_); }

  std::string* out_;
  std::vector<bool> first_;  // per open array or object: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace

json::object EncodeEventData(const events::EventData& data, bool personal) {
  json::value out(json::object{});
  const TypeSpec* spec = SpecFor(data.data_type());
  if (spec == nullptr) return {};  // NONE, or a type byte this build does not know
  DomSink sink(out);
  VisitFields(reinterpret_cast<const flatbuffers::Table*>(data.data()), spec->fields, personal,
              sink);
  return std::move(out.get_object());
}

json::object EncodeStoredEvent(const StoredEvent& event, bool personal) {
  json::object out;
  out["position"] = event.position.value;
  out["id"] = event.id;
  out["type"] = event.type;
  out["stream"] = event.stream;
  out["version"] = event.version.value;
  out["occurred_at"] = FormatInstant(event.occurred_at_us);
  out["recorded_at"] = FormatInstant(event.recorded_at_us);
  out["actor"] = event.actor;
  const events::EventData* data = VerifyEventData(event.payload);
  out["data"] = data != nullptr ? EncodeEventData(*data, personal) : json::object();
  out["prev_hash"] = HexOf(event.prev_hash);
  out["hash"] = HexOf(event.hash);
  return out;
}

void AppendStoredEventJson(const StoredEvent& event, bool personal, std::string* out) {
  TextSink sink(out);
  sink.BeginObject();
  sink.Key("position");
  sink.Unsigned(event.position.value);
  sink.Key("id");
  sink.String(event.id);
  sink.Key("type");
  sink.String(event.type);
  sink.Key("stream");
  sink.String(event.stream);
  sink.Key("version");
  sink.Unsigned(event.version.value);
  sink.Key("occurred_at");
  char instant[kInstantTextMax];
  sink.String(FormatInstant(event.occurred_at_us, instant));
  sink.Key("recorded_at");
  sink.String(FormatInstant(event.recorded_at_us, instant));
  sink.Key("actor");
  sink.String(event.actor);
  sink.Key("data");
  sink.BeginObject();
  if (const events::EventData* data = VerifyEventData(event.payload)) {
    if (const TypeSpec* spec = SpecFor(data->data_type())) {
      VisitFields(reinterpret_cast<const flatbuffers::Table*>(data->data()), spec->fields, personal,
                  sink);
    }
  }
  sink.EndObject();
  sink.Key("prev_hash");
  sink.Hex(event.prev_hash);
  sink.Key("hash");
  sink.Hex(event.hash);
  sink.EndObject();
}

}  // namespace ledger::api
