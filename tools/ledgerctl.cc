// ledgerctl: operator and auditor commands for a ledger's data directory.
//
//   ledgerctl COMMAND [options]; `ledgerctl` alone prints every command.
//
// Exit status: 0 on success, 1 when the command failed, 2 on bad usage.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/attestation_token.h"
#include "api/report_formats.h"
#include "api/sheet_import.h"
#include "api/vault_sealer.h"
#include "api/xlsx_writer.h"
#include "eventstore/checkpoint_signer.h"
#include "eventstore/envelope_codec.h"
#include "eventstore/event_pipeline.h"
#include "eventstore/event_store.h"
#include "eventstore/hash_chain.h"
#include "eventstore/kafka/kafka_topic_reader.h"
#include "eventstore/keys.h"
#include "eventstore/ledger_replay.h"
#include "projections/filing_package.h"
#include "projections/ledger_node.h"
#include "projections/ledger_verifier.h"
#include "projections/projector.h"
#include "tools/derived_state.h"
#include "tools/ledger_export.h"
#include "tools/ledger_reports.h"
#include "tools/partner_stream.h"
#include "tools/personal_export.h"

namespace ledger {
namespace {

constexpr const char* kUsage =
    "usage: ledgerctl COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  rebuild --data DIR [--projection NAME]\n"
    "      Drops the read model and rebuilds it from the log. The projections members,\n"
    "      funds, trail (the fund-use trail and partners) and reports are tables of one read\n"
    "      model, \"ledger\" (the default), derived together in one pass: any of these names\n"
    "      rebuilds all of them. The ledger must not be running.\n"
    "  pubkey --data DIR\n"
    "      Prints the ledger's Ed25519 public key (PEM) from DIR/signing.key.\n"
    "  verify (--data DIR | --export FILE | --kafka BROKERS --topic T) [--pubkey FILE]\n"
    "         [--report FILE] [--idle-ms MS] [--dump FILE]\n"
    "      Re-hashes the whole chain, checks every signed checkpoint against the public key in\n"
    "      FILE (PEM or hex, as `pubkey` prints it), re-derives every balance and trail by\n"
    "      replaying the events through the domain rules and checks that no balance ever went\n"
    "      negative. For a data directory it compares the result with the stored projection;\n"
    "      for an export it checks that every line's JSON says what its envelope bytes say and\n"
    "      that a signed checkpoint covers the last event. From Kafka it reads the events\n"
    "      topic (e.g. zhaiyi.events) from the beginning until it is idle for --idle-ms\n"
    "      (default 3000), restoring position order and dropping duplicates by position (the\n"
    "      topic carries no checkpoints). Prints a summary, writes a JSON\n"
    "      report (default: verify-report.json) and exits 0 only if everything holds.\n"
    "  export --data DIR --out FILE [--personal FILE2 [--personal-key PATH]]\n"
    "      Writes every event (envelope bytes in base64 plus the decoded event) and every\n"
    "      signed checkpoint as JSON Lines, ending with a checkpoint of the last event signed\n"
    "      with DIR/signing.key. Safe while ledgerd runs. See docs/auditing.md. It holds no\n"
    "      personal data; --personal writes the personal vault apart into FILE2 (mode 0600,\n"
    "      every member's data key and fields: an admin's backup, docs/privacy.md).\n"
    "  report fund --fund ID --data DIR [--format md|csv] [--lang zh|en] [--out FILE]\n"
    "  report donor --partner ID --data DIR [--format md|csv] [--lang zh|en] [--out FILE]\n"
    "      Every inflow and outflow of a fund with its allocations and evidence, or every\n"
    "      donation and purchase of a partner with every use of it, as Markdown (default) or\n"
    "      CSV, from the stored projection, with a reconciliation of the totals. Headings in\n"
    "      Chinese (the statement's, GET /v1/partners/{id}/statement), or English with --lang en.\n"
    "      Exit 1 when the totals do not reconcile.\n"
    "  report filing --month YYYY-MM --data DIR [--format xlsx|json] [--out FILE]\n"
    "      The month's filing package for head office (GET /v1/reports/monthly/filing): an Excel\n"
    "      workbook (default; written to filing-YYYY-MM.xlsx without --out) or JSON, replayed\n"
    "      from the log, signed with DIR/signing.key. Exit 1 when the month is not sealed.\n"
    "  partner-stream --brokers HOST:PORT[,...] --partner ID [--prefix P]\n"
    "                 [--from-offset N | --from-beginning] [--count N] [--kafka-config K=V]...\n"
    "      Follows the Kafka topic P.donations (P: zhaiyi) that ledgerd's relay publishes and\n"
    "      prints each item of partner ID as one JSON line (docs/kafka.md), dropping the\n"
    "      relay's duplicates (by position). Starts at offset N of every partition, at the\n"
    "      beginning, or by default with the next new item. Stops after N items (--count) or\n"
    "      on SIGINT/SIGTERM (exit 0), then says on stderr where to resume. --kafka-config\n"
    "      passes a librdkafka property (SASL, TLS); repeat it for more.\n"
    "  import --in FILE --data DIR [--pubkey FILE] [--personal FILE2 [--personal-key PATH]]\n"
    "      Builds a ledger in the new, empty DIR from an export, verifying as it goes (chain,\n"
    "      signatures when --pubkey is given, the domain rules); --personal takes FILE2 of an\n"
    "      export --personal, checks each record against its event's commitment and seals it\n"
    "      under DIR's personal key (created; --personal-key PATH). The imported log has the same\n"
    "      positions, hashes and checkpoints, so export -> import -> export gives the same\n"
    "      bytes. Projections are rebuilt at the end. On any failure DIR is removed.\n"
    "  import-sheet --data DIR --in FILE [--in FILE]... [--dry-run] [--report FILE]\n"
    "               [--personal-key PATH]\n"
    "      Onboards an existing programme from the spreadsheet template (docs/onboarding.md):\n"
    "      members, pairings and past verified services, from an xlsx workbook or CSV files\n"
    "      (UTF-8 or GBK), every row checked by the API's codec and rules, appended as one\n"
    "      all-or-nothing batch. Prints each bad row (sheet, row, column, reason) and exits 1\n"
    "      without writing anything when there is one; --dry-run only checks. Importing the\n"
    "      same sheet again appends nothing (event ids come from the sheet's ids). --report\n"
    "      writes the report as JSON. The ledger must not be running. Names, phones... are\n"
    "      sealed with the personal key (DIR/personal.key unless --personal-key says otherwise).\n"
    "  backup --data DIR --out DIR2 [--with-personal-key] [--personal-key PATH]\n"
    "      A consistent copy of the whole ledger (log, indexes, projections, account\n"
    "      credentials, signing.key and admin.key) into the new DIR2, taken online beside a\n"
    "      running ledgerd. Restore by serving DIR2. The master key of the personal data\n"
    "      (DIR/personal.key, or PATH) is copied only with --with-personal-key: without it the\n"
    "      backup's personal data stays unreadable. Not copied: the access log (who read\n"
    "      whose personal data, DIR/access-log). (export carries the log only: never\n"
    "      credentials.)\n"
    "  attestation verify TOKEN --pubkey FILE\n"
    "      Checks a member's signed statement offline with the ledger's public key and prints\n"
    "      it. Exit 0 when valid, 1 when expired or not signed by this ledger.\n";

// Flags that take no value: given means "1".
constexpr std::string_view kSwitches[] = {"from-beginning", "dry-run", "with-personal-key"};

// --name value pairs (and switches) after the command.
struct Flags {
  std::map<std::string, std::string> values;                 // the last value of each name
  std::vector<std::pair<std::string, std::string>> ordered;  // all, for flags given repeatedly
  std::string error;

  static Flags Parse(int argc, char** argv, int first) {
    Flags flags;
    for (int i = first; i < argc; ++i) {
      std::string_view arg = argv[i];
      const bool is_switch = arg.starts_with("--") &&
                             std::ranges::find(kSwitches, arg.substr(2)) != std::end(kSwitches);
      if (!arg.starts_with("--") || (!is_switch && i + 1 >= argc)) {
        flags.error = "unexpected argument '" + std::string(arg) + "'";
        return flags;
      }
      std::string name(arg.substr(2));
      std::string value = is_switch ? "1" : argv[++i];
      flags.values[name] = value;
      flags.ordered.emplace_back(std::move(name), std::move(value));
    }
    return flags;
  }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  // Every value of a flag that may be given several times, in order.
  std::vector<std::string> GetAll(const std::string& name) const {
    std::vector<std::string> all;
    for (const auto& [flag, value] : ordered) {
      if (flag == name) all.push_back(value);
    }
    return all;
  }
};

// A store opened read-only beside a ledgerd that may be running (a RocksDB secondary instance
// whose own files live in a temporary directory, removed when this goes away).
struct ReadOnlyStore {
  std::string secondary_dir;
  std::unique_ptr<EventStore> store;
  ~ReadOnlyStore() {
    store.reset();
    if (!secondary_dir.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(secondary_dir, ignored);
    }
  }
};

Result<std::unique_ptr<ReadOnlyStore>> OpenReadOnly(const std::string& data,
                                                    bool verify_reads = true) {
  auto opened = std::make_unique<ReadOnlyStore>();
  std::string pattern =
      (std::filesystem::temp_directory_path() / "ledgerctl-secondary-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Status::IoError("cannot create a temporary dir");
  opened->secondary_dir = pattern;
  if (!std::filesystem::exists(std::filesystem::path(data) / "CURRENT")) {
    return Status::NotFound("no ledger in " + data);
  }
  EventStoreOptions options;
  options.path = data;
  options.create_if_missing = false;
  options.read_only_secondary_dir = opened->secondary_dir;
  options.verify_reads = verify_reads;
  auto store = EventStore::Open(options);
  if (!store.ok()) return store.status();
  opened->store = std::move(store).value();
  return opened;
}

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
  constexpr std::string_view kProjections[] = {kLedgerReadModel, "members", "funds", "trail",
                                               "reports"};
  if (std::find(std::begin(kProjections), std::end(kProjections), projection) ==
      std::end(kProjections)) {
    std::fprintf(stderr,
                 "ledgerctl rebuild: unknown projection '%s' (known: ledger, and its tables "
                 "members, funds, trail, reports)\n",
                 projection.c_str());
    return 2;
  }
  EventStoreOptions options;
  options.path = data;
  options.create_if_missing = false;
  auto store = EventStore::Open(options);
  if (!store.ok()) return Fail(store.status());
  auto rows = (*store)->OpenReadModel(kLedgerReadModel);
  if (!rows.ok()) return Fail(rows.status());
  const auto started = std::chrono::steady_clock::now();
  auto events = Projector::Rebuild(**store, **rows);
  if (!events.ok()) return Fail(events.status());
  // The rows into table files now: verify, export and report open the data directory read-only
  // and would otherwise sort the whole rebuilt read model out of the WAL on every open.
  if (Status flushed = (*store)->Flush(); !flushed.ok()) return Fail(flushed);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "rebuilt ledger (members, funds, trail, reports): %lu events in %.2f s (%.0f events/s)\n",
      *events, seconds, seconds > 0 ? static_cast<double>(*events) / seconds : 0.0);
  return 0;
}

std::string SigningKeyPath(const std::string& data) { return data + "/signing.key"; }

// The personal vault's master key: --personal-key, else DIR/personal.key (docs/privacy.md).
std::string PersonalKeyPath(const Flags& flags, const std::string& data) {
  const std::string path = flags.Get("personal-key");
  return path.empty() ? data + "/personal.key" : path;
}

int PubKey(const Flags& flags) {
  const std::string data = flags.Get("data");
  if (data.empty()) {
    std::fprintf(stderr, "ledgerctl pubkey: --data DIR is required\n");
    return 2;
  }
  auto key = SigningKey::Load(SigningKeyPath(data));
  if (!key.ok()) return Fail(key.status());
  std::fputs((*key)->PublicKeyPem().c_str(), stdout);
  return 0;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The public key in the file --pubkey names (PEM or hex), if the flag is given.
Status PublicKeyFromFlag(const Flags& flags, std::optional<std::string>* public_key) {
  const std::string path = flags.Get("pubkey");
  if (path.empty()) return Status::Ok();
  std::optional<std::string> text = ReadFile(path);
  if (!text) return Status::NotFound("cannot read " + path);
  auto parsed = ParsePublicKey(*text);
  if (!parsed.ok()) return parsed.status();
  *public_key = std::move(parsed).value();
  return Status::Ok();
}

void PrintVerifySummary(const VerifyReport& report) {
  std::printf("events verified:       %lu (chain re-hashed from position 0)\n", report.events);
  std::printf("head hash:             %s\n", HexOf(report.head_hash).c_str());
  std::printf("signed checkpoints:    %lu verified%s\n", report.checkpoints_verified,
              report.signatures_checked ? "" : " (signatures NOT checked: no --pubkey)");
  std::printf("projection rows:       %lu compared with the re-derived state\n",
              report.rows_compared);
  if (report.ok) {
    std::printf("result:                OK\n");
  } else if (report.failed_position) {
    std::printf("result:                FAILED at position %lu: %s\n", *report.failed_position,
                report.failure.c_str());
  } else {
    std::printf("result:                FAILED: %s\n", report.failure.c_str());
  }
}

// Prints and writes the report and, when `dump_path` is given and everything verified, the
// re-derived state (tools/derived_state.h).
int FinishVerify(const LedgerVerifier& verifier, const std::string& report_path,
                 const std::string& dump_path) {
  PrintVerifySummary(verifier.report());
  std::ofstream(report_path) << VerifyReportJson(verifier.report());
  std::printf("report:                %s\n", report_path.c_str());
  if (!verifier.report().ok) return 1;
  if (!dump_path.empty()) {
    std::ofstream dump(dump_path, std::ios::binary | std::ios::trunc);
    dump << tools::DerivedStateJson(verifier.state(), verifier.report().events,
                                    verifier.report().head_hash);
    if (!dump) return Fail(Status::IoError("cannot write " + dump_path));
    std::printf("derived state:         %s\n", dump_path.c_str());
  }
  return 0;
}

// Reads an events topic from the beginning until it has been idle for `idle_ms`, and feeds the
// verifier in position order: records may arrive out of order across partitions and more than
// once (the relay delivers at least once), so they are put in order and de-duplicated by
// position. A position still missing when the topic goes quiet is a failure.
void VerifyKafka(const std::string& brokers, const std::string& topic, int64_t idle_ms,
                 LedgerVerifier& verifier) {
  KafkaTopicReaderOptions options;
  options.client.brokers = brokers;
  options.topic = topic;
  auto reader = KafkaTopicReader::Open(options);
  if (!reader.ok()) {
    verifier.Fail(std::nullopt, reader.status().message());
    return;
  }
  std::map<uint64_t, StoredEvent> pending;  // ahead of the next position expected
  auto quiet_since = std::chrono::steady_clock::now();
  while (verifier.report().ok) {
    auto records = (*reader)->Poll(std::chrono::milliseconds(200));
    if (!records.ok()) {
      verifier.Fail(std::nullopt, records.status().message());
      return;
    }
    if (records->empty()) {
      if (std::chrono::steady_clock::now() - quiet_since > std::chrono::milliseconds(idle_ms)) {
        break;
      }
      continue;
    }
    quiet_since = std::chrono::steady_clock::now();
    for (const KafkaRecord& record : *records) {
      Result<StoredEvent> event = DecodeEnvelope(record.value);
      if (!event.ok()) {
        verifier.Fail(std::nullopt, "partition " + std::to_string(record.partition) + " offset " +
                                        std::to_string(record.offset) + ": " +
                                        event.status().message());
        return;
      }
      const uint64_t position = event->position.value;
      if (position >= verifier.report().events) {
        pending.emplace(position, std::move(event).value());
      }
    }
    while (!pending.empty() && pending.begin()->first == verifier.report().events) {
      if (!verifier.AddEvent(pending.begin()->second)) return;
      pending.erase(pending.begin());
    }
  }
  if (verifier.report().ok && !pending.empty()) {
    verifier.Fail(verifier.report().events, "missing from the topic (later positions up to " +
                                                std::to_string(pending.rbegin()->first) +
                                                " arrived)");
  }
}

// The chain check verify runs on its reader thread, ahead of the verifier (see Pipeline): a break
// stops the reader, and is reported only after everything before it was applied, so a rule
// broken earlier is the one named.
class ReaderChainCheck {
 public:
  bool Passes(const StoredEvent& event) {
    broken_ = chain_.Check(event);
    return !broken_;
  }
  void ReportTo(LedgerVerifier& verifier) {
    if (broken_) verifier.Fail(chain_.next(), std::move(*broken_));
  }

 private:
  ChainCheck chain_;
  std::optional<std::string> broken_;  // what is wrong at chain_.next()
};

void VerifyExport(const std::string& path, LedgerVerifier& verifier) {
  std::ifstream in(path);
  if (!in) {
    verifier.Fail(std::nullopt, "cannot read " + path);
    return;
  }
  // A reader thread parses the lines and checks the chain; this one applies behind it.
  ReaderChainCheck chain;
  Status read = Pipeline<tools::ExportLine>(
      [&](const std::function<bool(const tools::ExportLine&)>& emit) {
        return tools::ReadExport(in, [&](const tools::ExportLine& line) {
          return (!line.event || chain.Passes(*line.event)) && emit(line);
        });
      },
      [&](const tools::ExportLine& line) {
        if (line.event) return verifier.AddCheckedEvent(*line.event);
        return verifier.AddCheckpoint(*line.checkpoint);
      });
  chain.ReportTo(verifier);
  if (!read.ok()) verifier.Fail(verifier.report().events, read.message());
  verifier.RequireFinalCheckpoint();
}

LedgerVerifier* verifier_freed_at_exit = nullptr;  // see Verify

int Verify(const Flags& flags) {
  const std::string data = flags.Get("data");
  const std::string export_path = flags.Get("export");
  const std::string brokers = flags.Get("kafka");
  const std::string topic = flags.Get("topic");
  const std::string report_path = flags.Get("report", "verify-report.json");
  const std::string dump_path = flags.Get("dump");
  const int sources = !data.empty() + !export_path.empty() + !brokers.empty();
  if (sources != 1 || brokers.empty() != topic.empty()) {
    std::fprintf(stderr,
                 "ledgerctl verify: give one of --data DIR, --export FILE or --kafka BROKERS "
                 "--topic T\n%s",
                 kUsage);
    return 2;
  }
  std::optional<std::string> public_key;
  if (Status status = PublicKeyFromFlag(flags, &public_key); !status.ok()) return Fail(status);
  // Left for the process's exit to free: tearing down the re-derived state of a large ledger
  // object by object was about 6 % of a verify. Reachable from a global, so leak checkers
  // (LeakSanitizer in the debug build) do not count it; Verify runs once per process.
  verifier_freed_at_exit = new LedgerVerifier(public_key);
  LedgerVerifier& verifier = *verifier_freed_at_exit;
  if (!export_path.empty()) {
    VerifyExport(export_path, verifier);
    return FinishVerify(verifier, report_path, dump_path);
  }
  if (!brokers.empty()) {
    VerifyKafka(brokers, topic, std::stoll(flags.Get("idle-ms", "3000")), verifier);
    return FinishVerify(verifier, report_path, dump_path);
  }
  // Safe beside a running ledgerd. The verifier re-hashes every event itself, so the store's
  // own check of each read would only do it twice.
  auto opened = OpenReadOnly(data, /*verify_reads=*/false);
  if (!opened.ok()) {
    // A log that does not even open is a verification failure, named like any other.
    verifier.Fail(std::nullopt, opened.status().message());
  } else {
    EventStore& store = *(*opened)->store;
    auto checkpoints = StoredCheckpoints(store);
    auto rows = store.OpenReadModel(kLedgerReadModel);
    std::optional<uint64_t> compare_at;
    if (rows.ok()) {
      auto at = (*rows)->Checkpoint();
      if (at.ok() && at->value > 0) compare_at = at->value;
    }
    if (!checkpoints.ok()) verifier.Fail(std::nullopt, checkpoints.status().message());
    size_t next_checkpoint = 0;
    auto compare_if_due = [&] {
      if (compare_at && verifier.report().events == *compare_at) verifier.CompareRows(**rows);
    };
    // A reader thread scans the log and checks the chain; this one applies behind it.
    ReaderChainCheck chain;
    Status scan = PipelineEvents(
        [&](const std::function<bool(const StoredEvent&)>& emit) {
          return store.Scan(
              Position{0}, store.GetHead().next, nullptr,
              [&](const StoredEvent& event) { return chain.Passes(event) && emit(event); });
        },
        [&](const StoredEvent& event) {
          if (!verifier.AddCheckedEvent(event)) return false;
          while (checkpoints.ok() && next_checkpoint < checkpoints->size() &&
                 (*checkpoints)[next_checkpoint].position <= event.position) {
            if (!verifier.AddCheckpoint((*checkpoints)[next_checkpoint++])) return false;
          }
          compare_if_due();
          return verifier.report().ok;
        });
    chain.ReportTo(verifier);
    if (!scan.ok()) verifier.Fail(std::nullopt, scan.message());
    if (checkpoints.ok() && next_checkpoint < checkpoints->size()) {
      verifier.AddCheckpoint((*checkpoints)[next_checkpoint]);  // beyond the log: fails
    }
  }
  return FinishVerify(verifier, report_path, dump_path);
}

int Export(const Flags& flags) {
  const std::string data = flags.Get("data");
  const std::string out_path = flags.Get("out");
  if (data.empty() || out_path.empty()) {
    std::fprintf(stderr, "ledgerctl export: --data DIR and --out FILE are required\n%s", kUsage);
    return 2;
  }
  auto key = SigningKey::Load(SigningKeyPath(data));
  if (!key.ok()) return Fail(key.status());
  auto opened = OpenReadOnly(data);  // safe beside a running ledgerd
  if (!opened.ok()) return Fail(opened.status());
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) return Fail(Status::IoError("cannot write " + out_path));
  auto events = tools::WriteExport(*(*opened)->store, **key, out);
  if (!events.ok()) return Fail(events.status());
  std::printf("exported %lu events to %s\n", *events, out_path.c_str());
  if (const std::string personal_path = flags.Get("personal"); !personal_path.empty()) {
    // Apart from the log's export, for an admin's backup only (docs/privacy.md).
    auto master = PersonalVault::LoadOrCreateMasterKey(PersonalKeyPath(flags, data));
    if (!master.ok()) return Fail(master.status());
    auto records = tools::WritePersonalExport(*(*opened)->store, *master, personal_path);
    if (!records.ok()) return Fail(records.status());
    std::printf("exported %lu personal records to %s (mode 0600: keep it apart)\n", *records,
                personal_path.c_str());
  }
  return 0;
}

// report filing: the month's filing package (projections/filing_package.h).
int RunFilingReport(const Flags& flags) {
  const std::string data = flags.Get("data");
  const std::string format = flags.Get("format", "xlsx");
  const std::optional<MonthKey> month = ParseMonth(flags.Get("month"));
  if (data.empty() || !month || (format != "xlsx" && format != "json")) {
    std::fprintf(stderr, "ledgerctl report filing: see usage\n%s", kUsage);
    return 2;
  }
  auto key = SigningKey::Load(SigningKeyPath(data));
  if (!key.ok()) return Fail(key.status());
  auto opened = OpenReadOnly(data);  // safe beside a running ledgerd
  if (!opened.ok()) return Fail(opened.status());
  auto package = BuildFilingPackage(*(*opened)->store, **key, *month);
  if (!package.ok()) return Fail(package.status());
  if (!package->sealed) {
    std::fprintf(stderr,
                 "ledgerctl report filing: %s is not sealed (head office files sealed "
                 "months only)\n",
                 FormatMonth(*month).c_str());
    return 1;
  }
  std::string bytes;
  if (format == "json") {
    bytes = boost::json::serialize(api::FilingPackageJson(*package)) + "\n";
  } else {
    auto xlsx = api::WriteXlsx(package->workbook, "每月报送包 " + FormatMonth(*month));
    if (!xlsx.ok()) return Fail(xlsx.status());
    bytes = std::move(*xlsx);
  }
  std::string out_path = flags.Get("out");
  if (out_path.empty() && format == "json") {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return 0;
  }
  if (out_path.empty()) out_path = "filing-" + FormatMonth(*month) + ".xlsx";
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!(out << bytes)) return Fail(Status::IoError("cannot write " + out_path));
  std::printf("filing package of %s (sealed at position %lu) written to %s\n",
              FormatMonth(*month).c_str(), package->as_of - 1, out_path.c_str());
  return 0;
}

int RunReport(std::string_view kind, const Flags& flags) {
  if (kind == "filing") return RunFilingReport(flags);
  const std::string data = flags.Get("data");
  const std::string format_name = flags.Get("format", "md");
  const std::string id = flags.Get(kind == "fund" ? "fund" : "partner");
  const std::string lang = flags.Get("lang", "zh");
  if ((kind != "fund" && kind != "donor") || data.empty() || id.empty() ||
      (format_name != "md" && format_name != "csv") || (lang != "zh" && lang != "en")) {
    std::fprintf(stderr, "ledgerctl report: see usage\n%s", kUsage);
    return 2;
  }
  const tools::ReportFormat format =
      format_name == "csv" ? tools::ReportFormat::kCsv : tools::ReportFormat::kMarkdown;
  auto opened = OpenReadOnly(data);  // safe beside a running ledgerd
  if (!opened.ok()) return Fail(opened.status());
  auto rows = (*opened)->store->OpenReadModel(kLedgerReadModel);
  if (!rows.ok()) return Fail(rows.status());
  LedgerState state;
  auto at = LoadLedgerState(**rows, state);
  if (!at.ok()) return Fail(at.status());
  const tools::ReportLanguage language =
      lang == "en" ? tools::ReportLanguage::kEnglish : tools::ReportLanguage::kChinese;
  auto report = kind == "fund" ? tools::FundReport(state, FundRef(id), format, language)
                               : tools::DonorReport(state, PartnerRef(id), format, language);
  if (!report.ok()) return Fail(report.status());
  std::string text = report->text;
  if (format == tools::ReportFormat::kMarkdown) {
    text += language == tools::ReportLanguage::kEnglish
                ? "\nAs of log position " + std::to_string(at->value) +
                      " (the projection's checkpoint).\n"
                : "\n数据截至日志位置 " + std::to_string(at->value) + "(投影的检查点)。\n";
  }
  const std::string out_path = flags.Get("out");
  if (out_path.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    std::ofstream(out_path, std::ios::binary | std::ios::trunc) << text;
  }
  if (!report->reconciled) std::fprintf(stderr, "ledgerctl report: totals do NOT reconcile\n");
  return report->reconciled ? 0 : 1;
}

// Copies `source` to `to`/`name`, mode 0600 whatever the source's mode.
Status CopyPrivateFile(const std::filesystem::path& source, const std::string& to,
                       const char* name) {
  const std::filesystem::path target = std::filesystem::path(to) / name;
  std::error_code error;
  std::filesystem::copy_file(source, target, error);
  if (!error) {
    std::filesystem::permissions(
        target, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace, error);
  }
  if (error) return Status::IoError("cannot copy " + source.string() + ": " + error.message());
  return Status::Ok();
}

// The files beside the database that a copy of a ledger needs to serve: its signing key (without
// it a restored ledger signs with a new key, and what the old one signed no longer verifies
// against the ledger's key) and its admin key. Each is said on stderr: whoever holds the backup
// holds them.
Status CopyKeyFiles(const std::string& from, const std::string& to) {
  for (const char* name : {"signing.key", "admin.key"}) {
    const std::filesystem::path source = std::filesystem::path(from) / name;
    if (!std::filesystem::exists(source)) {
      std::fprintf(stderr,
                   "ledgerctl backup: no %s in %s: not copied (back up a key kept "
                   "elsewhere yourself)\n",
                   name, from.c_str());
      continue;
    }
    if (Status status = CopyPrivateFile(source, to, name); !status.ok()) return status;
    std::fprintf(stderr,
                 "ledgerctl backup: %s copied (0600): whoever holds this backup holds it; keep "
                 "the backup as safe as the data directory\n",
                 name);
  }
  return Status::Ok();
}

// The master key of the personal data only when asked (--with-personal-key): without it the
// backup's personal data stays encrypted, so a backup kept or sent elsewhere discloses nobody.
// Says on stderr which it was.
Status CopyPersonalKey(const std::filesystem::path& source, bool wanted, const std::string& to) {
  if (!wanted) {
    if (std::filesystem::exists(source)) {
      std::fprintf(stderr,
                   "ledgerctl backup: personal.key not copied: the backup's personal data stays "
                   "unreadable without it; pass --with-personal-key to include it\n");
    } else {
      std::fprintf(stderr, "ledgerctl backup: no personal.key at %s: nothing left out\n",
                   source.c_str());
    }
    return Status::Ok();
  }
  if (Status status = CopyPrivateFile(source, to, "personal.key"); !status.ok()) return status;
  std::fprintf(stderr,
               "ledgerctl backup: personal.key copied (0600, --with-personal-key): whoever holds "
               "this backup can read its personal data\n");
  return Status::Ok();
}

int Backup(const Flags& flags) {
  const std::string data = flags.Get("data");
  const std::string out = flags.Get("out");
  if (data.empty() || out.empty()) {
    std::fprintf(stderr, "ledgerctl backup: --data DIR and --out DIR2 are required\n%s", kUsage);
    return 2;
  }
  if (std::filesystem::exists(out)) return Fail(Status::InvalidArgument(out + " already exists"));
  const bool with_personal_key = flags.Get("with-personal-key") == "1";
  const std::filesystem::path personal_key = PersonalKeyPath(flags, data);
  if (with_personal_key && !std::filesystem::exists(personal_key)) {
    return Fail(
        Status::InvalidArgument("--with-personal-key: there is no " + personal_key.string()));
  }
  {
    auto opened = OpenReadOnly(data);
    if (!opened.ok()) return Fail(opened.status());
    if (Status status = (*opened)->store->Backup(out); !status.ok()) return Fail(status);
  }
  if (Status status = CopyKeyFiles(data, out); !status.ok()) return Fail(status);
  if (Status status = CopyPersonalKey(personal_key, with_personal_key, out); !status.ok()) {
    return Fail(status);
  }
  // Opening the copy is restoring it: the store checks that its log ends at its head.
  EventStoreOptions options;
  options.path = out;
  options.create_if_missing = false;
  auto restored = EventStore::Open(options);
  if (!restored.ok()) return Fail(restored.status());
  const Head head = (*restored)->GetHead();
  std::printf("backed up %lu events (head %s) into %s\n", head.next.value, HexOf(head.hash).c_str(),
              out.c_str());
  return 0;
}

int Import(const Flags& flags) {
  const std::string in_path = flags.Get("in");
  const std::string data = flags.Get("data");
  if (in_path.empty() || data.empty()) {
    std::fprintf(stderr, "ledgerctl import: --in FILE and --data DIR are required\n%s", kUsage);
    return 2;
  }
  if (std::filesystem::exists(data) && !std::filesystem::is_empty(data)) {
    return Fail(Status::InvalidArgument(data + " is not empty"));
  }
  std::optional<std::string> public_key;
  if (Status status = PublicKeyFromFlag(flags, &public_key); !status.ok()) return Fail(status);
  std::ifstream in(in_path);
  if (!in) return Fail(Status::NotFound("cannot read " + in_path));

  Status failure;
  uint64_t imported = 0;
  uint64_t personal_imported = 0;
  {
    // Each group of events recorded together is appended as one request, with the store's clock
    // set to their recorded_at: the store then assigns the same positions and hashes, which are
    // compared with the export's.
    std::atomic<int64_t> recorded_at_us{0};
    EventStoreOptions options;
    options.path = data;
    options.clock_us = [&recorded_at_us] { return recorded_at_us.load(); };
    auto store = EventStore::Open(options);
    if (!store.ok()) return Fail(store.status());
    // With --personal FILE (an export's --personal): the members' personal records too.
    std::map<std::string, tools::PersonalImportRecord> personal;
    std::unique_ptr<PersonalVault> vault;
    if (const std::string personal_path = flags.Get("personal"); !personal_path.empty()) {
      auto read = tools::ReadPersonalExport(personal_path);
      if (!read.ok()) return Fail(read.status());
      personal = std::move(*read);
      auto master = PersonalVault::LoadOrCreateMasterKey(PersonalKeyPath(flags, data));
      if (!master.ok()) return Fail(master.status());
      vault = std::make_unique<PersonalVault>(**store, *master);
    }
    LedgerVerifier verifier(public_key);
    std::vector<StoredEvent> group;
    std::vector<SignedCheckpoint> checkpoints;
    auto flush = [&]() -> bool {
      if (group.empty()) return true;
      std::vector<EventDraft> drafts;
      drafts.reserve(group.size());
      for (const StoredEvent& e : group) {
        drafts.push_back(
            EventDraft{e.id, e.stream, e.type, std::nullopt, e.occurred_at_us, e.actor, e.payload});
        auto record = personal.find(e.id);
        if (record == personal.end()) continue;
        // The record must be what the log committed to, and is sealed again under this
        // ledger's master key beside its event.
        const tools::PersonalImportRecord& r = record->second;
        if (tools::CommitmentOf(e.payload) !=
            PersonalVault::Commitment(PersonalVault::CommitKeyOf(r.data_key), r.fields)) {
          failure = Status::Corruption("position " + std::to_string(e.position.value) +
                                       ": the personal record does not match its commitment");
          return false;
        }
        drafts.back().side = vault->SealWithKey(r.subject, r.data_key, r.type, r.fields);
        ++personal_imported;
      }
      recorded_at_us = group.front().recorded_at_us;
      auto results = (*store)->Append(std::move(drafts));
      if (!results.ok()) {
        failure = results.status();
        return false;
      }
      for (size_t i = 0; i < group.size(); ++i) {
        const AppendResult& r = (*results)[i];
        if (r.duplicate || r.position != group[i].position || r.hash != group[i].hash) {
          failure = Status::Corruption("position " + std::to_string(group[i].position.value) +
                                       ": imported event does not reproduce the exported hash");
          return false;
        }
      }
      imported += group.size();
      group.clear();
      return true;
    };
    constexpr size_t kImportGroupEventsMax = 5000;
    Status read = tools::ReadExport(in, [&](const tools::ExportLine& line) {
      if (line.checkpoint) {
        checkpoints.push_back(*line.checkpoint);
        return verifier.AddCheckpoint(*line.checkpoint);
      }
      if (!verifier.AddEvent(*line.event)) return false;
      if (!group.empty() && (group.front().recorded_at_us != line.event->recorded_at_us ||
                             group.size() >= kImportGroupEventsMax)) {
        if (!flush()) return false;
      }
      group.push_back(*line.event);
      return true;
    });
    if (failure.ok() && !read.ok()) failure = read;
    if (failure.ok() && !verifier.report().ok) {
      failure = Status::Corruption(
          (verifier.report().failed_position
               ? "position " + std::to_string(*verifier.report().failed_position) + ": "
               : std::string()) +
          verifier.report().failure);
    }
    if (failure.ok()) flush();
    if (failure.ok() && !verifier.RequireFinalCheckpoint()) {
      failure = Status::Corruption(verifier.report().failure);
    }
    if (failure.ok()) {
      // The checkpoints as the exporting ledger stored them; the signer carries on after them.
      auto rows = (*store)->OpenMetaTable(kCheckpointsTable);
      std::vector<ReadModelStore::RowWrite> writes;
      for (const SignedCheckpoint& c : checkpoints) {
        std::string key;
        AppendBigEndian64(c.position.value, &key);
        writes.push_back({key, EncodeCheckpointValue(c)});
      }
      failure = rows.ok() ? (*rows)->Commit(writes, (*store)->GetHead().next) : rows.status();
    }
    if (failure.ok()) {
      auto rows = (*store)->OpenReadModel(kLedgerReadModel);
      auto rebuilt = rows.ok() ? Projector::Rebuild(**store, **rows) : rows.status();
      if (!rebuilt.ok()) failure = rebuilt.status();
    }
    if (failure.ok()) failure = (*store)->Flush();  // as rebuild: rows in table files
  }
  if (!failure.ok()) {
    std::error_code ignored;
    std::filesystem::remove_all(data, ignored);
    std::fprintf(stderr, "ledgerctl import: %s (nothing imported; %s removed)\n",
                 failure.ToString().c_str(), data.c_str());
    return 1;
  }
  std::printf("imported %lu events into %s; projections rebuilt\n", imported, data.c_str());
  if (personal_imported > 0) {
    std::printf("imported %lu personal records, sealed under %s\n", personal_imported,
                PersonalKeyPath(flags, data).c_str());
  }
  return 0;
}

int VerifyAttestationToken(std::string_view token, const Flags& flags) {
  const std::string pubkey_path = flags.Get("pubkey");
  if (token.empty() || pubkey_path.empty()) {
    std::fprintf(stderr, "ledgerctl attestation verify: TOKEN and --pubkey FILE are required\n");
    return 2;
  }
  std::optional<std::string> text = ReadFile(pubkey_path);
  if (!text) return Fail(Status::NotFound("cannot read " + pubkey_path));
  auto public_key = ParsePublicKey(*text);
  if (!public_key.ok()) return Fail(public_key.status());
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const api::VerifiedAttestation verified = api::VerifyAttestation(token, *public_key, now_us);
  switch (verified.check) {
    case api::AttestationCheck::kValid:
      std::printf("valid: %s\n", boost::json::serialize(verified.statement).c_str());
      return 0;
    case api::AttestationCheck::kExpired:
      std::printf("expired at %s: %s\n", verified.expires_at.c_str(),
                  boost::json::serialize(verified.statement).c_str());
      return 1;
    case api::AttestationCheck::kInvalid:
      break;
  }
  std::printf("invalid: not a statement signed by this ledger's key\n");
  return 1;
}

// Set by SIGINT and SIGTERM: partner-stream stops at its next poll.
std::atomic<bool> stop_requested{false};
void RequestStop(int) { stop_requested = true; }

// A decimal number in [0, INT64_MAX], or nullopt.
std::optional<int64_t> ParseNonNegative(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 0 || errno == ERANGE) return std::nullopt;
  return value;
}

// The bytes of `path`, or NotFound.
Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

int ImportSheet(const Flags& flags) {
  const std::string data = flags.Get("data");
  const std::vector<std::string> inputs = flags.GetAll("in");
  const bool dry_run = flags.Get("dry-run") == "1";
  if (data.empty() || inputs.empty()) {
    std::fprintf(stderr, "ledgerctl import-sheet: --data DIR and --in FILE are required\n%s",
                 kUsage);
    return 2;
  }
  if (!std::filesystem::exists(std::filesystem::path(data) / "CURRENT")) {
    return Fail(Status::NotFound("no ledger in " + data));
  }
  std::vector<api::SheetTable> tables;
  api::SheetImport import;
  for (const std::string& path : inputs) {
    Result<std::string> bytes = ReadWholeFile(path);
    if (!bytes.ok()) return Fail(bytes.status());
    const std::string name = std::filesystem::path(path).filename().string();
    Result<std::vector<api::SheetTable>> read = api::ReadSheetFile(*bytes, name);
    if (!read.ok()) {
      import.AddProblem({name, 0, "", read.status().message(), "invalid_sheet"});
      continue;
    }
    for (api::SheetTable& table : *read) tables.push_back(std::move(table));
  }
  LedgerNodeOptions options;
  options.data_dir = data;
  options.store.create_if_missing = false;
  // The rows' personal fields are sealed with the ledger's personal key (docs/privacy.md).
  auto personal_key = PersonalVault::LoadOrCreateMasterKey(PersonalKeyPath(flags, data));
  if (!personal_key.ok()) return Fail(personal_key.status());
  options.personal_key = *personal_key;
  auto node = LedgerNode::Open(options);
  if (!node.ok()) return Fail(node.status());
  api::VaultSealer sealer((*node)->vault());
  if (import.ok()) import = api::BuildSheetImport(tables, &sealer);
  if (import.ok()) {
    Status checked = api::CheckSheetImport((*node)->store(), WriteScope::All(), import);
    if (!checked.ok()) return Fail(checked);
  }
  size_t imported = 0;
  if (import.ok() && !dry_run && !import.drafts.empty()) {
    for (EventDraft& draft : import.drafts) draft.actor = "ledgerctl";
    auto appended = (*node)->store().Append(import.drafts);
    if (appended.ok()) {
      imported = appended->size();
    } else {
      import.AddProblem(api::ProblemForRefusal(import, appended.status()));
    }
  }
  boost::json::object report = api::SheetReportJson(import);
  report["dry_run"] = dry_run;
  report["imported"] = imported;
  if (const std::string report_path = flags.Get("report"); !report_path.empty()) {
    std::ofstream out(report_path, std::ios::binary | std::ios::trunc);
    out << boost::json::serialize(report) << "\n";
    if (!out) return Fail(Status::IoError("cannot write " + report_path));
  }
  for (const api::SheetProblem& problem : import.problems) {
    std::string where = problem.sheet;
    if (problem.row > 0) where += " 第 " + std::to_string(problem.row) + " 行";
    if (!problem.column.empty()) where += "【" + problem.column + "】";
    std::printf("%s：%s（%s）\n", where.c_str(), problem.reason.c_str(), problem.code.c_str());
  }
  if (import.problems_total > import.problems.size()) {
    std::printf("……另有 %zu 处错误未列出\n", import.problems_total - import.problems.size());
  }
  std::printf("成员 %zu 行，结对 %zu 行，服务 %zu 行；以前已导入 %zu 个事件。", import.members,
              import.pairings, import.services, import.already_imported);
  if (!import.ok()) {
    std::printf("有 %zu 处错误，没有写入任何事件。\n", import.problems_total);
  } else if (dry_run) {
    std::printf("试导入通过：将写入 %zu 个事件。\n", import.drafts.size());
  } else {
    std::printf("已写入 %zu 个事件。\n", imported);
  }
  return import.ok() ? 0 : 1;
}

int PartnerStream(const Flags& flags) {
  tools::PartnerStreamOptions options;
  options.client.brokers = flags.Get("brokers");
  options.partner_id = flags.Get("partner");
  options.topic_prefix = flags.Get("prefix", options.topic_prefix);
  const std::string from_offset = flags.Get("from-offset");
  const bool from_beginning = flags.Get("from-beginning") == "1";
  const std::optional<int64_t> offset = ParseNonNegative(from_offset.empty() ? "0" : from_offset);
  const std::optional<int64_t> count = ParseNonNegative(flags.Get("count", "0"));
  if (options.client.brokers.empty() || options.partner_id.empty() || !offset || !count ||
      (!from_offset.empty() && from_beginning)) {
    std::fprintf(stderr,
                 "ledgerctl partner-stream: --brokers and --partner are required; at most one of "
                 "--from-offset N and --from-beginning; N >= 0\n%s",
                 kUsage);
    return 2;
  }
  for (const std::string& setting : flags.GetAll("kafka-config")) {
    auto parsed = ParseKafkaSetting(setting);
    if (!parsed.ok()) {
      std::fprintf(stderr, "ledgerctl partner-stream: bad --kafka-config: %s\n",
                   parsed.status().message().c_str());
      return 2;
    }
    options.client.config.push_back(std::move(parsed).value());
  }
  options.start_offset = !from_offset.empty() ? *offset
                         : from_beginning     ? KafkaTopicReaderOptions::kFromBeginning
                                              : KafkaTopicReaderOptions::kFromEnd;
  options.items_max = static_cast<uint64_t>(*count);
  struct sigaction action = {};
  action.sa_handler = RequestStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  auto summary = tools::StreamPartnerItems(options, stdout, stop_requested);
  if (!summary.ok()) return Fail(summary.status());
  // Where a later run picks up: with one partition (the default) a single --from-offset.
  std::string resume;
  if (summary->next_offsets.size() == 1) {
    resume = "; resume with --from-offset " + std::to_string(summary->next_offsets.begin()->second);
  } else if (!summary->next_offsets.empty()) {
    resume = "; next offsets (partition:offset)";
    for (const auto& [partition, next] : summary->next_offsets) {
      resume += " " + std::to_string(partition) + ":" + std::to_string(next);
    }
  }
  std::fprintf(stderr, "ledgerctl partner-stream: %lu items of %s (%lu duplicates dropped)%s\n",
               summary->items, options.partner_id.c_str(), summary->duplicates, resume.c_str());
  return 0;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) {
  // What ledgerctl writes (rebuilt read models, imports, backups, exports, reports) holds the
  // ledger's personal data: its user's alone, like ledgerd's data directory (directories 0700,
  // files 0600).
  ::umask(077);
  if (argc < 2) {
    std::fputs(ledger::kUsage, stderr);
    return 2;
  }
  const std::string_view command = argv[1];
  // `report` takes its kind (fund, donor) and `attestation verify` its token before the flags.
  const bool has_kind = command == "report" && argc > 2;
  if (command == "attestation") {
    if (argc < 4 || std::string_view(argv[2]) != "verify") {
      std::fputs(ledger::kUsage, stderr);
      return 2;
    }
    const ledger::Flags attestation_flags = ledger::Flags::Parse(argc, argv, 4);
    if (!attestation_flags.error.empty()) {
      std::fprintf(stderr, "ledgerctl: %s\n", attestation_flags.error.c_str());
      return 2;
    }
    return ledger::VerifyAttestationToken(argv[3], attestation_flags);
  }
  const ledger::Flags flags = ledger::Flags::Parse(argc, argv, has_kind ? 3 : 2);
  if (!flags.error.empty()) {
    std::fprintf(stderr, "ledgerctl: %s\n%s", flags.error.c_str(), ledger::kUsage);
    return 2;
  }
  if (command == "rebuild") return ledger::Rebuild(flags);
  if (command == "pubkey") return ledger::PubKey(flags);
  if (command == "verify") return ledger::Verify(flags);
  if (command == "export") return ledger::Export(flags);
  if (command == "import") return ledger::Import(flags);
  if (command == "backup") return ledger::Backup(flags);
  if (command == "import-sheet") return ledger::ImportSheet(flags);
  if (command == "report") return ledger::RunReport(has_kind ? argv[2] : "", flags);
  if (command == "partner-stream") return ledger::PartnerStream(flags);
  if (command == "help" || command == "--help") {
    std::fputs(ledger::kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "ledgerctl: unknown command '%.*s'\n%s", static_cast<int>(command.size()),
               command.data(), ledger::kUsage);
  return 2;
}
