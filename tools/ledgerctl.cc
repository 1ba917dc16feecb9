// ledgerctl: operator and auditor commands for a ledger's data directory.
//
//   ledgerctl rebuild --data DIR [--projection NAME]   drop a read model and rebuild it from the
//   log
//
// Exit status: 0 on success, 1 when the command failed, 2 on bad usage.
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "eventstore/event_store.h"
#include "eventstore/ledger_replay.h"
#include "projections/projector.h"

namespace ledger {
namespace {

constexpr const char* kUsage =
    "usage: ledgerctl COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  rebuild --data DIR [--projection NAME]\n"
    "      Drops the read model NAME (default and only one today: \"ledger\", which holds\n"
    "      members, funds, the fund-use trail, partners and monthly reports) and rebuilds it\n"
    "      from the log. The ledger must not be running.\n";

// --name value pairs after the command.
struct Flags {
  std::map<std::string, std::string> values;
  std::string error;

  static Flags Parse(int argc, char** argv, int first) {
    Flags flags;
    for (int i = first; i < argc; ++i) {
      std::string_view arg = argv[i];
      if (!arg.starts_with("--") || i + 1 >= argc) {
        flags.error = "unexpected argument '" + std::string(arg) + "'";
        return flags;
      }
      flags.values[std::string(arg.substr(2))] = argv[++i];
    }
    return flags;
  }
  std::string Get(const std::string& name, std::string fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

int Fail(const Status& status) {
  std::fprintf(stderr, "ledgerctl: %s\n", status.ToString().c_str());
  return 1;
}

int Rebuild(const Flags& flags) {
  const std::string data = flags.Get("data");
  const std::string projection = flags.Get("projection", std::string(kLedgerReadModel));
  if (data.empty()) {
    std::fprintf(stderr, "ledgerctl rebuild: --data DIR is required\n%s", kUsage);
    return 2;
  }
  if (projection != kLedgerReadModel) {
    std::fprintf(stderr, "ledgerctl rebuild: unknown projection '%s' (known: ledger)\n",
                 projection.c_str());
    return 2;
  }
  EventStoreOptions options;
  options.path = data;
  options.create_if_missing = false;
  auto store = EventStore::Open(options);
  if (!store.ok()) return Fail(store.status());
  auto rows = (*store)->OpenReadModel(projection);
  if (!rows.ok()) return Fail(rows.status());
  const auto started = std::chrono::steady_clock::now();
  auto events = Projector::Rebuild(**store, **rows);
  if (!events.ok()) return Fail(events.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("rebuilt %s: %lu events in %.2f s (%.0f events/s)\n", projection.c_str(), *events,
              seconds, seconds > 0 ? static_cast<double>(*events) / seconds : 0.0);
  return 0;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(ledger::kUsage, stderr);
    return 2;
  }
  const std::string_view command = argv[1];
  const ledger::Flags flags = ledger::Flags::Parse(argc, argv, 2);
  if (!flags.error.empty()) {
    std::fprintf(stderr, "ledgerctl: %s\n%s", flags.error.c_str(), ledger::kUsage);
    return 2;
  }
  if (command == "rebuild") return ledger::Rebuild(flags);
  if (command == "help" || command == "--help") {
    std::fputs(ledger::kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "ledgerctl: unknown command '%.*s'\n%s", static_cast<int>(command.size()),
               command.data(), ledger::kUsage);
  return 2;
}
