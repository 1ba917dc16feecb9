// A full account flow over HTTP against a served ledger that holds the October scenario (branch
// b-shiyuan, member v-wang, partner p-avic): open an account, activate it, sign in, read, change
// the password, reset it (a fresh invitation), sign out, open and close a second account, and
// issue, use and revoke a key. It returns every secret it saw, so a test can look for their
// bytes wherever no secret may go (Kafka, exports, log lines).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ledger::testing {

struct AccountFlowResult {
  // What each secret is, and its text: passwords, invitation tokens, session ids, CSRF tokens,
  // the key (and its secret half).
  std::vector<std::pair<std::string, std::string>> secrets;
  // Personal data that rights events do not carry either: the logins and display names.
  std::vector<std::string> personal;
  // The rights events the flow wrote, in order ("AccountOpened", ...).
  std::vector<std::string> rights_events;
  std::string open_account_id;    // activated, signed in at the end (a live session)
  std::string closed_account_id;  // opened, activated, then closed
  std::string revoked_key_id;
};

// Runs the flow against 127.0.0.1:`port` with the admin key `admin_key`. Every step is checked
// with gtest (a failed step is reported and the flow goes on).
AccountFlowResult RunAccountFlow(uint16_t port, std::string_view admin_key);

}  // namespace ledger::testing
