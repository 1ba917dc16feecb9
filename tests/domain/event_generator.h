// EventGenerator: random events over small pools of ids, for property and crash tests.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace ledger::testing {

// Produces random events over small pools of ids, so that references often hit and sometimes
// miss, amounts sometimes exceed balances, and reversals sometimes name spent inflows.
class EventGenerator {
 public:
  explicit EventGenerator(uint64_t seed, std::string id_prefix = "ev")
      : random_(seed), prefix_(std::move(id_prefix)) {}

  struct Event {
    std::string id;
    std::string type;
    std::string fields;
  };

  // The next event; ids are "<prefix><n>" and never repeat.
  Event Next() {
    const int n = counter_++;
    auto pick = [&](const char* prefix, int pool) {
      return std::string(prefix) + std::to_string(random_() % pool);
    };
    auto amount = [&] { return std::to_string(1 + random_() % 50000); };
    const std::string id = prefix_ + std::to_string(n);
    const std::string branch = pick("b", 3);
    switch (random_() % 31) {
      case 0:
        return {id, "BranchOpened", "branch_id: \"" + branch + "\", name: \"n\""};
      case 1:
      case 2: {
        static const char* kKinds[] = {"volunteer", "elder", "youth_volunteer"};
        const std::string kind = kKinds[random_() % 3];
        return {id, "MemberRegistered",
                "member_id: \"" + pick(kind == "elder" ? "e" : "v", 40) + "\", kind: " + kind +
                    ", branch_id: \"" + branch + "\", name: \"n\""};
      }
      case 3:
        return {id, "PartnerRegistered",
                "partner_id: \"" + pick("p", 6) + "\", name: \"n\", kind: enterprise"};
      case 4:
        return {id, "FundOpened",
                "fund_id: \"" + pick("f", 3) + "\", name: \"n\", branch_id: \"" + branch + "\""};
      case 5:
      case 6: {
        std::string restricted =
            random_() % 2 ? ", restricted_to: \"" + pick("purpose", 3) + "\"" : "";
        const std::string donation = "d" + std::to_string(n);
        inflows_.push_back(id);
        donations_.push_back(donation);
        return {id, "DonationReceived",
                "donation_id: \"" + donation + "\", partner_id: \"" + pick("p", 6) +
                    "\", fund_id: \"" + pick("f", 3) + "\", amount_fen: " + amount() +
                    ", kind: cash" + restricted};
      }
      case 7: {
        const std::string sale = "sale" + std::to_string(n);
        inflows_.push_back(id);
        return {id, "SaleRecorded",
                "sale_id: \"" + sale + "\", fund_id: \"" + pick("f", 3) +
                    "\", product: \"挂袋\", category: patent_product, quantity: " +
                    std::to_string(1 + random_() % 20) +
                    ", unit_price_fen: " + std::to_string(1 + random_() % 5000) +
                    ", channel: government_purchase, buyer_partner_id: \"" + pick("p", 6) +
                    "\", maker_id: \"" + pick("v", 40) +
                    "\", maker_share_bp: " + std::to_string(random_() % 10001)};
      }
      case 8:
      case 9: {
        outflows_.push_back(id);
        return {id, "DisbursementMade",
                "disbursement_id: \"x" + std::to_string(n) + "\", fund_id: \"" + pick("f", 3) +
                    "\", purpose: \"" + pick("purpose", 3) + "\", amount_fen: " + amount()};
      }
      case 10: {
        outflows_.push_back(id);
        return {id, "ExpenseRecorded",
                "expense_id: \"x" + std::to_string(n) + "\", fund_id: \"" + pick("f", 3) +
                    "\", category: materials, amount_fen: " + amount()};
      }
      case 11:
      case 12: {
        const std::string service = "s" + std::to_string(random_() % 400);
        if (!assignments_.empty() && random_() % 3 == 0) {
          // A visit answering a recent assignment (it may have been refused, reassigned or
          // cancelled since: then the visit is refused), under a fresh service id.
          const Assignment& a = assignments_[Recent(assignments_.size())];
          const std::string visit = "sq" + std::to_string(n);
          request_visits_.push_back(visit);
          return {id, "ServiceLogged",
                  "service_id: \"" + visit + "\", volunteer_id: \"" + a.volunteer_id +
                      "\", elder_id: \"" + a.elder_id + "\", request_id: \"" + a.request_id +
                      "\", kind: home_visit, minutes: " + std::to_string(1 + random_() % 200)};
        }
        return {id, "ServiceLogged",
                "service_id: \"" + service + "\", volunteer_id: \"" + pick("v", 40) +
                    "\", kind: home_visit, minutes: " + std::to_string(random_() % 760)};
      }
      case 13:
      case 14: {
        verifications_.push_back(id);
        const std::string service = !request_visits_.empty() && random_() % 3 == 0
                                        ? request_visits_[Recent(request_visits_.size())]
                                        : "s" + std::to_string(random_() % 400);
        // Vouched for by no member ("e"), or by a member: the elder, a relative, or (refused)
        // someone else, the volunteer herself among them.
        const std::string by = random_() % 2 ? "e" : pick(random_() % 2 ? "e" : "v", 40);
        return {id, "ServiceVerified",
                "service_id: \"" + service + "\", confirmed_by: \"" + by + "\""};
      }
      case 15: {
        const bool cash = random_() % 2;
        redemptions_.push_back(id);
        return {id, "RedemptionMade",
                "redemption_id: \"r" + std::to_string(n) + "\", member_id: \"" + pick("v", 40) +
                    "\", minutes: " + std::to_string(1 + random_() % 300) +
                    (cash ? ", reward: cash, fund_id: \"" + pick("f", 3) + "\""
                          : ", reward: training, course: \"护理\"")};
      }
      case 16: {
        // Credits given to a registered relative (either way round; gifts passed on), or to
        // anyone (refused unless an elder of the giver's branch).
        std::string from = pick("v", 40);
        std::string to = pick(random_() % 2 ? "v" : "e", 40);
        if (!relations_.empty() && random_() % 2) {
          std::tie(from, to) = relations_[random_() % relations_.size()];
          if (random_() % 2) std::swap(from, to);
        }
        transfers_.push_back(id);
        return {id, "CreditsTransferred",
                "transfer_id: \"t" + std::to_string(n) + "\", from_member_id: \"" + from +
                    "\", to_member_id: \"" + to +
                    "\", minutes: " + std::to_string(1 + random_() % 200)};
      }
      case 17: {
        // A change of purpose needs the donor's consent first: record one about as often, of a
        // recent donation (or of any id); a change follows a consent recorded (or not).
        std::string donation = !donations_.empty() && random_() % 4
                                   ? donations_[Recent(donations_.size())]
                                   : "d" + std::to_string(random_() % (n + 1));
        std::string purpose =
            random_() % 3 ? ", restricted_to: \"" + pick("purpose", 3) + "\"" : "";
        if (random_() % 2) {
          consents_.emplace_back(donation, purpose);
          return {id, "DonorConsentRecorded",
                  "consent_id: \"c" + std::to_string(n) + "\", donation_id: \"" + donation +
                      "\", document_ref: \"letter\"" + purpose};
        }
        if (!consents_.empty() && random_() % 4) {
          std::tie(donation, purpose) = consents_[Recent(consents_.size())];
        }
        return {id, "RestrictionChanged",
                "donation_id: \"" + donation + "\", consent_ref: \"c\"" + purpose};
      }
      case 18:
      case 19: {
        // Rights: accounts and keys opened and closed, of members (branch-scoped) or of
        // roles bound to nothing; sometimes closing what was never opened (refused). And
        // certificates of 2026 (the clock's year), numbered right or wrong, of volunteers or
        // elders, revoked or revoked again. Their figures count the log before position 0 (none),
        // so that an auditor's recount (LedgerVerifier) agrees.
        static const char* kTypes[] = {"AccountOpened", "AccountClosed",     "KeyIssued",
                                       "KeyRevoked",    "CertificateIssued", "CertificateRevoked"};
        const char* type = kTypes[random_() % 6];
        if (type[0] == 'C') {
          const std::string number = "ZYK-2026-00000" + std::to_string(1 + random_() % 4);
          if (type[11] == 'R') {
            return {id, type, "certificate_id: \"" + number + "\", reason: \"更正\""};
          }
          return {id, type,
                  "certificate_id: \"" + number + "\", member_id: \"" +
                      pick(random_() % 4 ? "v" : "e", 40) +
                      "\", from_date: \"2026-01-01\", to_date: \"2026-12-31\", as_of: 0, "
                      "digest: \"" +
                      std::string(64, 'c') + "\""};
        }
        const bool account = type[0] == 'A';
        const std::string right =
            std::string(account ? "acct" : "k") + std::to_string(random_() % 30);
        const std::string scope =
            random_() % 2 ? "role: auditor" : "role: member, member_id: \"" + pick("v", 40) + "\"";
        return {id, type,
                std::string(account ? "account_id" : "key_id") + ": \"" + right + "\", " + scope};
      }
      case 20:
      case 21: {
        // Service requests under fresh ids (sometimes one used before), of elders (or, refused,
        // volunteers).
        static const char* kNeeds[] = {"home_visit", "companionship", "respite_care", "errand",
                                       "repair",     "health",        "other"};
        const std::string request = requests_.empty() || random_() % 8
                                        ? "q" + std::to_string(n)
                                        : requests_[random_() % requests_.size()];
        requests_.push_back(request);
        const std::string elder = pick(random_() % 8 ? "e" : "v", 40);
        request_elders_[request] = elder;
        std::string extra;
        if (random_() % 2) extra += ", urgent: true";
        if (random_() % 2) extra += ", requested_by: guardian";
        if (random_() % 2) extra += ", wanted_by_us: " + std::to_string(random_() % 1000000);
        return {id, "ServiceRequested",
                "request_id: \"" + request + "\", elder_id: \"" + elder +
                    "\", need: " + kNeeds[random_() % 7] + ", description: \"d\"" + extra};
      }
      case 22: {
        const std::string request =
            requests_.empty() ? "q-none" : requests_[Recent(requests_.size())];
        if (random_() % 8 == 0) {
          return {id, "RequestCancelled",
                  "request_id: \"" + request + "\", reason: \"no longer needed\""};
        }
        const std::string volunteer = pick("v", 40);
        auto elder = request_elders_.find(request);
        if (elder != request_elders_.end()) {
          assignments_.push_back({request, volunteer, elder->second});
        }
        return {id, "RequestAssigned",
                "request_id: \"" + request + "\", volunteer_id: \"" + volunteer + "\""};
      }
      case 23:
        return {id, "AwardGranted",
                "award_id: \"aw" + std::to_string(random_() % 60) + "\", member_id: \"" +
                    pick(random_() % 2 ? "v" : "e", 40) + "\", title: \"优秀志愿者\"" +
                    (random_() % 2 ? ", grantor: \"街道\", level: \"区级\"" : "")};
      case 24: {
        // A correction of one or more fields, sometimes of none (refused).
        std::string fields = "member_id: \"" + pick(random_() % 2 ? "v" : "e", 40) + "\"";
        if (random_() % 2) fields += ", phone: \"1380000" + std::to_string(random_() % 10) + "\"";
        if (random_() % 3 == 0) fields += ", name: \"新名\"";
        if (random_() % 3 == 0) fields += ", birth_year: " + std::to_string(1890 + random_() % 100);
        if (random_() % 3 == 0) fields += ", skills: [\"陪伴\"], lives_alone: true";
        return {id, "MemberUpdated", fields};
      }
      case 25: {
        // Family relations between volunteers and elders (sometimes of a member to itself).
        static const char* kRelations[] = {"spouse",  "parent",   "child",
                                           "sibling", "guardian", "other_family"};
        const std::string member = pick("v", 40);
        const std::string relative = pick(random_() % 2 ? "v" : "e", 40);
        relations_.emplace_back(member, relative);
        return {id, "RelationRegistered",
                "relation_id: \"rel" + std::to_string(random_() % 200) + "\", member_id: \"" +
                    member + "\", relative_id: \"" + relative +
                    "\", relation: " + kRelations[random_() % 6]};
      }
      case 26: {
        // Activities under a few ids, so that one reversed is sometimes recorded anew.
        activities_.push_back(id);
        return {id, "ActivityHeld",
                "activity_id: \"" + pick("a", 8) + "\", branch_id: \"" + branch +
                    "\", title: \"重阳节\", date: \"2026-10-29\", participants: " +
                    std::to_string(random_() % 50) +
                    ", beneficiaries: " + std::to_string(random_() % 80)};
      }
      case 27: {
        // Money and filing: goods given in kind (their total right or, sometimes, wrong), and
        // grants.
        const std::string donation = "d" + std::to_string(n);
        if (random_() % 3 == 0) {
          return {id, "GrantReceived",
                  "grant_id: \"g" + std::to_string(n) + "\", partner_id: \"" + pick("p", 6) +
                      "\", fund_id: \"" + pick("f", 3) + "\", amount_fen: " + amount() +
                      ", program: csr_program"};
        }
        inflows_.push_back(id);
        in_kind_.push_back(donation);
        donations_.push_back(donation);
        const int64_t rice = 1 + random_() % 5000;
        const int64_t oil = 1 + random_() % 5000;
        const int64_t total = rice + oil + (random_() % 8 == 0 ? 1 : 0);
        return {id, "DonationReceived",
                "donation_id: \"" + donation + "\", partner_id: \"" + pick("p", 6) +
                    "\", fund_id: \"" + pick("f", 3) + "\", amount_fen: " + std::to_string(total) +
                    ", kind: in_kind, items: [{name: \"米\", quantity: " +
                    std::to_string(1 + random_() % 20) +
                    ", unit: \"袋\", value_fen: " + std::to_string(rice) +
                    "}, {name: \"油\", quantity: " + std::to_string(1 + random_() % 20) +
                    ", unit: \"桶\", value_fen: " + std::to_string(oil) + "}]"};
      }
      case 28: {
        // Goods handed out (sometimes more than is left), or head office's receipt of a month.
        if (random_() % 6 == 0) {
          return {id, "FilingAcknowledged",
                  "month: \"2026-0" + std::to_string(1 + random_() % 9) +
                      "\", receipt_ref: \"总行-" + std::to_string(n) + "\""};
        }
        const std::string donation =
            in_kind_.empty() ? "d-none" : in_kind_[random_() % in_kind_.size()];
        return {id, "GoodsDistributed",
                "distribution_id: \"gd" + std::to_string(n) + "\", donation_id: \"" + donation +
                    "\", elder_id: \"" + pick("e", 40) + "\", items: [{name: \"" +
                    (random_() % 2 ? "米" : "油") +
                    "\", quantity: " + std::to_string(1 + random_() % 8) + "}]"};
      }
      default: {
        // Reverse something recorded earlier (or something that does not exist).
        std::vector<std::string>* pools[] = {&inflows_,     &outflows_,  &verifications_,
                                             &redemptions_, &transfers_, &activities_};
        std::vector<std::string>& pool = *pools[random_() % 6];
        const std::string target = pool.empty() ? "none" : pool[random_() % pool.size()];
        return {id, "EventReversed",
                "reversal_id: \"rv" + std::to_string(n) + "\", reverses_id: \"" + target +
                    "\", reason: \"correction\""};
      }
    }
  }

  std::mt19937_64& random() { return random_; }

 private:
  // An index among the last few of `size` things (size > 0), so that a request's life goes on
  // while it is fresh.
  size_t Recent(size_t size) {
    constexpr size_t kRecent = 8;
    return size - 1 - random_() % std::min(size, kRecent);
  }

  std::mt19937_64 random_;
  std::string prefix_;
  int counter_ = 0;
  std::vector<std::string> inflows_, outflows_, verifications_, redemptions_, transfers_,
      activities_;
  std::vector<std::string> in_kind_;    // donation ids of in-kind donations
  std::vector<std::string> donations_;  // donation ids, cash and in kind, in order
  // Consents recorded: the donation and its new purpose (the field text, "" for unrestricted).
  std::vector<std::pair<std::string, std::string>> consents_;
  std::vector<std::pair<std::string, std::string>> relations_;  // (member, relative) registered
  struct Assignment {
    std::string request_id, volunteer_id, elder_id;
  };
  std::map<std::string, std::string> request_elders_;  // the elder last requested for, by id
  std::vector<std::string> requests_;                  // request ids, in order
  std::vector<Assignment> assignments_;
  std::vector<std::string> request_visits_;  // service ids of visits naming a request
};

}  // namespace ledger::testing
