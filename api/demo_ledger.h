// The demo ledger: the seed's own story at the seed's scale (shared/seed/project-brief.zh.txt):
// the two branches, 22 women volunteers born 1966–1976 paired with elders over 80 who live
// alone, two years of visits (2021-08 to 2023-08: 520 visits, 600+ hours, 42 of them answering
// service requests), 30 activities serving 465 people, training, the 55,000 service bags bought
// by 石园街道党工委 for 990,000 元, 110,000 元 of subscriptions and custom orders, the three
// partners' directed donations, aid, redemptions and every month sealed; then a recent October
// and November 2026 of the same volunteers, so that the console has a current month to show.
// Recorded through the API itself, in all-or-nothing batches, so that it obeys every rule.
// Deterministic: the same events, ids and figures on every load.
#pragma once

#include <string>

#include "api/handler.h"

namespace ledger::api {

struct DemoSummary {
  uint64_t events = 0;
};

// The demo's accounts, one per role, with known passwords: FOR THE DEMO ONLY (scripts/serve
// prints them), so that a newcomer can sign in at once. A real ledger opens accounts with
// invitations (docs/accounts.md).
struct DemoAccount {
  const char* login;
  const char* password;
  const char* role;
  const char* scope_field;  // "" for admin and auditor
  const char* scope_id;
  const char* display_name;  // what the console greets the person with
};
inline constexpr DemoAccount kDemoAccounts[] = {
    {"demo-admin", "zhaiyi-demo-admin", "admin", "", "", "管理员（演示）"},
    {"demo-coordinator", "zhaiyi-demo-coordinator", "coordinator", "branch_id", "b-shiyuan",
     "石园街道协调员（演示）"},
    {"demo-auditor", "zhaiyi-demo-auditor", "auditor", "", "", "审计员（演示）"},
    {"demo-partner", "zhaiyi-demo-partner", "partner", "partner_id", "p-avic",
     "中航复合材料（演示）"},
    {"13800000001", "zhaiyi-demo-volunteer", "member", "member_id", "v-wang", "王秀兰"},
    {"demo-merchant", "zhaiyi-demo-merchant", "merchant", "merchant_id", "m-shop",
     "合作商户（演示）"},
};

// Posts the demo events with `admin_key`, then opens and activates kDemoAccounts. REQUIRES: an
// empty ledger. Returns the problem body of the refused batch as an InvalidArgument status if
// the rules refuse it (a bug in the demo).
Result<DemoSummary> LoadDemoLedger(Handler& handler, const std::string& admin_key);

}  // namespace ledger::api
