#include "projections/ledger_verifier.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "domain/assert.h"
#include "domain/event_payload.h"
#include "eventstore/hash_chain.h"
#include "eventstore/ledger_replay.h"

namespace ledger {
namespace {

std::string_view TableName(int table) {
  static constexpr std::string_view kNames[kTables] = {
      "branch",    "member",   "pairing", "service",     "activity", "partner",
      "fund",      "source",   "outflow", "reversible",  "report",   "policy",
      "cash_used", "taken_id", "served",  "certificate", "request",  "attestation"};
  return table >= 0 && table < kTables ? kNames[table] : "unknown";
}

// "fund f-aid" for a row key.
std::string DescribeRow(std::string_view row_key) {
  if (row_key.empty()) return "an empty row key";
  std::string out(TableName(row_key[0] - 'a'));
  out += " '";
  for (char c : row_key.substr(1)) out.push_back(c == '\n' ? '/' : c);
  out += "'";
  return out;
}

void AppendJsonString(std::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

}  // namespace

LedgerVerifier::LedgerVerifier(std::optional<std::string> public_key)
    : public_key_(std::move(public_key)) {
  report_.signatures_checked = public_key_.has_value();
  state_.TrackChanges(true);
}

void LedgerVerifier::Fail(std::optional<uint64_t> position, std::string what) {
  if (!report_.ok) return;
  report_.ok = false;
  report_.failed_position = position;
  report_.failure = std::move(what);
}

bool LedgerVerifier::AddEvent(const StoredEvent& event) {
  if (!report_.ok) return false;
  if (std::optional<std::string> problem = chain_.Check(event)) {
    Fail(report_.events, std::move(*problem));
    return false;
  }
  return AddCheckedEvent(event);
}

bool LedgerVerifier::AddCheckedEvent(const StoredEvent& event) {
  if (!report_.ok) return false;
  const uint64_t position = event.position.value;
  if (Status status = ApplyCommitted(state_, event); !status.ok()) {
    Fail(position, status.message());
    return false;
  }
  if (!CheckBalances(position)) return false;
  if (!CheckCertificate(event)) return false;
  hashes_.push_back(event.hash);
  report_.events = position + 1;
  report_.head_hash = event.hash;
  return true;
}

bool LedgerVerifier::CheckCertificate(const StoredEvent& event) {
  // ApplyCommitted verified the payload.
  const events::EventData* data = VerifyEventData(event.payload);
  if (data == nullptr) return true;
  services_.Add(event, *data);
  const events::CertificateIssued* issued = data->data_as_CertificateIssued();
  if (issued == nullptr) return true;
  const std::string id = issued->certificate_id()->str();
  if (static_cast<uint64_t>(issued->as_of()) > event.position.value) {
    Fail(event.position.value, "certificate " + id + " counts events after its own position");
    return false;
  }
  CertificateFigures recorded;
  recorded.verified_minutes = issued->verified_minutes();
  recorded.services = issued->services();
  if (issued->kinds() != nullptr) {
    for (auto kind : *issued->kinds()) recorded.kinds.push_back(kind);
  }
  const CertificateFigures recounted = services_.FiguresAsOf(
      issued->member_id()->string_view(), issued->from_date()->string_view(),
      issued->to_date()->string_view(), Position{static_cast<uint64_t>(issued->as_of())});
  if (recorded != recounted) {
    Fail(event.position.value,
         "certificate " + id + ": " + DescribeFigureDifferences(recorded, recounted));
    return false;
  }
  return true;
}

bool LedgerVerifier::CheckBalances(uint64_t position) {
  for (const auto& [table, key] : state_.TakeChanges()) {
    std::string problem;
    if (table == Table::kMember) {
      const Member* m = state_.FindMember(MemberRef(key));
      if (m != nullptr && m->credit_minutes < Minutes{}) problem = "member '" + key + "' credits";
    } else if (table == Table::kFund) {
      const Fund* f = state_.FindFund(FundRef(key));
      if (f == nullptr) continue;
      if (f->balance_fen < Fen{}) problem = "fund '" + key + "' balance";
      if (f->unrestricted_fen < Fen{}) problem = "fund '" + key + "' unrestricted money";
      for (const auto& [purpose, fen] : f->earmarks_fen) {
        if (fen < Fen{}) {
          problem.assign("fund '").append(key).append("' earmark '").append(purpose).append("'");
        }
      }
    } else if (table == Table::kSource) {
      const Source* s = state_.FindSource(SourceRef(key));
      if (s != nullptr && s->remaining_fen < Fen{})
        problem = "inflow '" + key + "' remaining money";
    }
    if (!problem.empty()) {
      Fail(position, problem + " went negative");
      return false;
    }
  }
  return true;
}

bool LedgerVerifier::AddCheckpoint(const SignedCheckpoint& checkpoint) {
  if (!report_.ok) return false;
  const uint64_t position = checkpoint.position.value;
  if (position >= hashes_.size()) {
    Fail(position, "signed checkpoint for position " + std::to_string(position) +
                       ", beyond the last event " + std::to_string(hashes_.size()) +
                       " (the history is truncated)");
    return false;
  }
  if (hashes_[position] != checkpoint.hash) {
    Fail(position, "the signed checkpoint's hash differs from the chain's hash here");
    return false;
  }
  if (public_key_ && !VerifyCheckpoint(*public_key_, checkpoint)) {
    Fail(position, "the checkpoint's signature does not verify with the public key");
    return false;
  }
  ++report_.checkpoints_verified;
  if (!report_.last_checkpoint_position || *report_.last_checkpoint_position < position) {
    report_.last_checkpoint_position = position;
  }
  return true;
}

bool LedgerVerifier::RequireFinalCheckpoint() {
  if (!report_.ok) return false;
  if (report_.events == 0) return true;
  if (!report_.last_checkpoint_position ||
      *report_.last_checkpoint_position + 1 != report_.events) {
    Fail(report_.events - 1, "no signed checkpoint covers the last event (truncated or unsigned)");
    return false;
  }
  return true;
}

namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

// Walks `expected` (sorted by key) in step with the stored rows whose keys lie in [from, to),
// which a read model yields in the same (bytewise) order, skipping `skip` (not derived state).
// Returns what the first row that differs, is missing or is extra is, or empty; counts the rows
// that agree in `*compared`.
std::string CompareRange(const ReadModelStore& rows, std::string_view from, std::string_view to,
                         std::string_view skip, const Rows& expected, uint64_t* compared) {
  auto next = expected.cbegin();
  std::string problem;
  Status scan = rows.ForEachRowIn(from, to, [&](std::string_view key, std::string_view value) {
    if (key == skip) return true;
    if (next != expected.cend() && std::string_view(next->first) < key) {
      problem = "the stored projection lacks " + DescribeRow(next->first);
      return false;
    }
    if (next == expected.cend() || std::string_view(next->first) != key) {
      problem = "the stored projection has " + DescribeRow(key) + " that the history does not";
      return false;
    }
    if (next->second != value) {
      problem = "the stored projection's " + DescribeRow(key) + " differs from the re-derived one";
      return false;
    }
    ++next;
    ++*compared;
    return true;
  });
  if (!scan.ok()) return "cannot read the stored projection: " + scan.message();
  if (problem.empty() && next != expected.cend()) {
    problem = "the stored projection lacks " + DescribeRow(next->first);
  }
  return problem;
}

}  // namespace

bool LedgerVerifier::CompareRows(const ReadModelStore& rows) {
  if (!report_.ok) return false;
  Result<Position> checkpoint = rows.Checkpoint();
  if (!checkpoint.ok() || checkpoint->value != report_.events) {
    Fail(std::nullopt, "the stored projection does not reflect the same events (checkpoint " +
                           (checkpoint.ok() ? std::to_string(checkpoint->value) : "unreadable") +
                           ", events " + std::to_string(report_.events) + ")");
    return false;
  }
  // Every row key starts with its table's letter ('a' + table, RowKey), so the tables are key
  // ranges one after another, and the first difference in key order is the first one found in
  // the first range that has one. The re-derived rows come table after table; as each table is
  // complete, a second thread sorts it and compares it with its stored range while this one
  // encodes the next. Ranges: [0] keys before 'a', [1 + t] table t, [kTables + 1] keys after.
  constexpr int kRanges = kTables + 2;
  const std::string format_key = LedgerRowsFormatRow().key;
  auto range_from = [](int range) {
    return range == 0 ? std::string() : std::string(1, static_cast<char>('a' + range - 1));
  };
  auto range_to = [&](int range) {
    return range == kRanges - 1 ? std::string() : range_from(range + 1);
  };
  std::vector<Rows> expected(kRanges);
  std::vector<std::string> problems(kRanges);
  std::vector<uint64_t> compared(kRanges, 0);
  auto compare = [&](int range) {
    Rows& table = expected[range];
    std::sort(table.begin(), table.end());
    problems[range] =
        CompareRange(rows, range_from(range), range_to(range), format_key, table, &compared[range]);
    Rows().swap(table);  // freed here, off the encoding thread
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<int> ready;  // ranges whose re-derived rows are all in
  bool encoded = false;
  std::thread comparer([&] {
    std::unique_lock lock(mutex);
    while (true) {
      changed.wait(lock, [&] { return !ready.empty() || encoded; });
      if (ready.empty()) return;
      const int range = ready.front();
      ready.pop_front();
      lock.unlock();
      compare(range);
      lock.lock();
    }
  });
  auto hand_over = [&](int range) {
    std::lock_guard lock(mutex);
    ready.push_back(range);
    changed.notify_all();
  };
  // ForEachRow visits the tables one after another, each table's rows together.
  std::vector<bool> handed(kRanges, false);
  int current = -1;
  state_.ForEachRow([&](Table table, std::string_view key, std::string_view bytes) {
    const int range = 1 + static_cast<int>(table);
    if (range != current) {
      LEDGER_ASSERT(!handed[range]);
      if (current >= 0) {
        handed[current] = true;
        hand_over(current);
      }
      current = range;
    }
    expected[range].emplace_back(RowKey(table, key), std::string(bytes));
  });
  for (int range = 0; range < kRanges; ++range) {
    if (!handed[range]) hand_over(range);  // the last table, the empty ones, the outer ranges
  }
  {
    std::lock_guard lock(mutex);
    encoded = true;
    changed.notify_all();
  }
  comparer.join();
  uint64_t total = 0;
  for (int range = 0; range < kRanges; ++range) {
    if (!problems[range].empty()) {
      Fail(std::nullopt, problems[range]);
      return false;
    }
    total += compared[range];
  }
  report_.rows_compared = total;
  return true;
}

std::string VerifyReportJson(const VerifyReport& report) {
  std::string out = "{\"ok\":";
  out += report.ok ? "true" : "false";
  out += ",\"events\":" + std::to_string(report.events);
  out += ",\"head_hash\":\"" + HexOf(report.head_hash) + "\"";
  out += ",\"checkpoints_verified\":" + std::to_string(report.checkpoints_verified);
  out += ",\"last_checkpoint_position\":" + (report.last_checkpoint_position
                                                 ? std::to_string(*report.last_checkpoint_position)
                                                 : std::string("null"));
  out += ",\"signatures_checked\":";
  out += report.signatures_checked ? "true" : "false";
  out += ",\"rows_compared\":" + std::to_string(report.rows_compared);
  out += ",\"failed_position\":" +
         (report.failed_position ? std::to_string(*report.failed_position) : std::string("null"));
  out += ",\"failure\":";
  AppendJsonString(report.failure, &out);
  out += "}\n";
  return out;
}

}  // namespace ledger
