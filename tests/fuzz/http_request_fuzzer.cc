// Requests as ledgerd reads them off a connection: bytes through the session's HTTP parser with
// the server's default header and body limits (api/server: ParseHttpRequest, ServerOptions{}),
// then through the handler's validation (Handler::Start: routing, the Bearer key, content type,
// query parameters, bodies) over a ledger in a temporary directory. Appends and min_position
// waits are only decided, not carried out (Start returns them pending), so the ledger stays
// small. The seeds carry kFuzzAdminKey so that the fuzzer starts past authentication.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/api_node.h"
#include "api/server.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_temp_dir.h"

namespace {

constexpr std::string_view kFuzzAdminKey = "fuzz-admin-9f4c2a7e1b6d3058ace7b2d94f6013c5";

ledger::api::Handler& TheHandler() {
  static std::unique_ptr<ledger::api::ApiNode> node = [] {
    ledger::api::ApiNodeOptions options;
    options.data_dir = FuzzTempDir() + "/data";
    options.admin_key = std::string(kFuzzAdminKey);
    auto opened = ledger::api::ApiNode::Open(std::move(options));
    FUZZ_CHECK(opened.ok());
    return std::move(opened).value();
  }();
  return node->handler();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  std::optional<ledger::api::Request> request =
      ledger::api::ParseHttpRequest(bytes, ledger::api::ServerOptions{}, &error);
  if (!request) {
    FUZZ_CHECK(!error.empty());
    return 0;
  }
  ledger::api::Step step = TheHandler().Start(*request);
  if (const auto* response = std::get_if<ledger::api::Response>(&step)) {
    FUZZ_CHECK(response->status >= 200);
    FUZZ_CHECK(response->status <= 599);
  }
  return 0;
}
