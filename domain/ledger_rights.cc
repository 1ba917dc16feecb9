// The rules of rights (API.md, "People: accounts and sessions"): AccountOpened, AccountClosed,
// KeyIssued, KeyRevoked. They record who held which right, when; the credentials themselves
// live outside the log (api/account_store.h). An id is opened (issued) once and closed
// (revoked) once. Keys created before these events existed have no KeyIssued, so revoking a key
// needs none.
#include "domain/ledger_state.h"
#include "domain/ledger_state_internal.h"

namespace ledger {
using namespace ledger_internal;

namespace {

using events::AccessRole;

// The scope field a role is bound to, as for keys: exactly that one is present.
template <typename Right>
bool ScopeFieldsMatch(const Right& e) {
  const bool branch = e.branch_id() != nullptr;
  const bool partner = e.partner_id() != nullptr;
  const bool member = e.member_id() != nullptr;
  const bool merchant = e.merchant_id() != nullptr;
  switch (e.role()) {
    case AccessRole::admin:
    case AccessRole::auditor:
      return !branch && !partner && !member && !merchant;
    case AccessRole::coordinator:
      return branch && !partner && !member && !merchant && e.branch_id()->size() > 0;
    case AccessRole::partner:
      return !branch && partner && !member && !merchant && e.partner_id()->size() > 0;
    case AccessRole::member:
      return !branch && !partner && member && !merchant && e.member_id()->size() > 0;
    case AccessRole::merchant:
      return !branch && !partner && !member && merchant && e.merchant_id()->size() > 0;
  }
  return false;
}

}  // namespace

bool LedgerState::IsAccountClosed(std::string_view account_id) const {
  return IdTaken("account-closed", account_id);
}

bool LedgerState::IsKeyRevoked(std::string_view key_id) const {
  return IdTaken("key-revoked", key_id);
}

// The shape and the references of a right being granted: the role's scope field, naming
// something the ledger knows.
template <typename Right>
Outcome LedgerState::CheckRight(const Right& e) const {
  if (!ScopeFieldsMatch(e)) return Outcome::kInvalidField;
  switch (e.role()) {
    case AccessRole::coordinator:
      if (FindBranch(BranchRef(Str(e.branch_id()))) == nullptr) return Outcome::kUnknownBranch;
      break;
    case AccessRole::partner:
      if (FindPartner(PartnerRef(Str(e.partner_id()))) == nullptr) return Outcome::kUnknownPartner;
      break;
    case AccessRole::member:
      if (FindMember(MemberRef(Str(e.member_id()))) == nullptr) return Outcome::kUnknownMember;
      break;
    case AccessRole::merchant: {
      const Partner* merchant = FindPartner(PartnerRef(Str(e.merchant_id())));
      if (merchant == nullptr) return Outcome::kUnknownPartner;
      if (merchant->kind != events::PartnerKind::merchant) return Outcome::kNotAMerchant;
      break;
    }
    case AccessRole::admin:
    case AccessRole::auditor:
      break;
  }
  return Outcome::kOk;
}

Execution LedgerState::OnAccountOpened(const EventMeta&, const events::AccountOpened& e) {
  if (!Present(e.account_id())) return Fail(Outcome::kInvalidField);
  if (const Outcome outcome = CheckRight(e); outcome != Outcome::kOk) return Fail(outcome);
  if (IdTaken("account", Str(e.account_id()))) return Fail(Outcome::kAlreadyExists);
  TakeId("account", Str(e.account_id()));
  return kOk;
}

Execution LedgerState::OnAccountClosed(const EventMeta&, const events::AccountClosed& e) {
  if (!Present(e.account_id())) return Fail(Outcome::kInvalidField);
  if (!ScopeFieldsMatch(e)) return Fail(Outcome::kInvalidField);
  if (!IdTaken("account", Str(e.account_id()))) return Fail(Outcome::kUnknownAccount);
  if (IdTaken("account-closed", Str(e.account_id()))) return Fail(Outcome::kAlreadyClosed);
  TakeId("account-closed", Str(e.account_id()));
  return kOk;
}

Execution LedgerState::OnKeyIssued(const EventMeta&, const events::KeyIssued& e) {
  if (!Present(e.key_id())) return Fail(Outcome::kInvalidField);
  if (const Outcome outcome = CheckRight(e); outcome != Outcome::kOk) return Fail(outcome);
  if (IdTaken("key", Str(e.key_id()))) return Fail(Outcome::kAlreadyExists);
  TakeId("key", Str(e.key_id()));
  return kOk;
}

Execution LedgerState::OnKeyRevoked(const EventMeta&, const events::KeyRevoked& e) {
  if (!Present(e.key_id())) return Fail(Outcome::kInvalidField);
  if (!ScopeFieldsMatch(e)) return Fail(Outcome::kInvalidField);
  if (IdTaken("key-revoked", Str(e.key_id()))) return Fail(Outcome::kAlreadyClosed);
  TakeId("key-revoked", Str(e.key_id()));
  return kOk;
}

}  // namespace ledger
