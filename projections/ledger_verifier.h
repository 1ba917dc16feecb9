// LedgerVerifier: an auditor's independent check of a ledger's history, fed event by event from
// any source (a data directory, an export file, a Kafka topic). It
//   - checks that positions are gapless from 0, every prev_hash links to the hash before it and
//     every hash matches its event's bytes (docs/event_format.md);
//   - checks every signed checkpoint against the public key and the chain hash at its position;
//   - re-derives every balance and trail by running each event through the domain rules
//     (LedgerState::Execute), so an event the rules refuse is reported, and after each event
//     checks that no fund, earmark, source or credit balance is negative;
//   - recounts every certificate's figures from the services before its `as_of` and names a
//     figure that differs from what CertificateIssued recorded;
//   - optionally compares the re-derived state, row by row, with a ledger's stored projection.
// The first failure stops it; the report names the position (or row) and what is wrong.
//
// Not thread-safe: one caller feeds it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/ledger_state.h"
#include "eventstore/event.h"
#include "eventstore/hash_chain.h"
#include "eventstore/read_model_store.h"
#include "eventstore/signed_checkpoint.h"
#include "projections/certificate_figures.h"

namespace ledger {

struct VerifyReport {
  bool ok = true;
  uint64_t events = 0;  // events verified
  Hash head_hash{};     // chain hash after the last event
  uint64_t checkpoints_verified = 0;
  std::optional<uint64_t> last_checkpoint_position;
  uint64_t rows_compared = 0;               // projection rows compared (0: not compared)
  bool signatures_checked = false;          // false when no public key was given
  std::optional<uint64_t> failed_position;  // the first bad position, when one is to blame
  std::string failure;                      // what is wrong, empty when ok
};

class LedgerVerifier {
 public:
  // `public_key`: the ledger's raw 32-byte key; without one, checkpoint signatures are not
  // checked (and the report says so).
  explicit LedgerVerifier(std::optional<std::string> public_key);

  // Verifies the next event: its place in the chain, then as AddCheckedEvent. Returns false once
  // anything failed (then it ignores further input).
  bool AddEvent(const StoredEvent& event);

  // Verifies the next event, whose place in the chain a ChainCheck (eventstore/hash_chain.h) of
  // the caller's already checked, e.g. on a reader thread ahead of this one (see Pipeline):
  // applies it through the domain rules and checks the balances.
  bool AddCheckedEvent(const StoredEvent& event);

  // Verifies a checkpoint of an event already added.
  bool AddCheckpoint(const SignedCheckpoint& checkpoint);

  // Compares the re-derived state with the rows of a stored projection that reflect exactly the
  // events added so far (their checkpoint must equal the number of events). Names the first row
  // that differs, is missing or is extra.
  bool CompareRows(const ReadModelStore& rows);

  // Fails unless a verified checkpoint covers the last event (exports must end with one).
  bool RequireFinalCheckpoint();

  const VerifyReport& report() const { return report_; }
  const LedgerState& state() const { return state_; }

  // Records a failure found outside the verifier (a malformed export line, an unreadable log).
  void Fail(std::optional<uint64_t> position, std::string what);

 private:
  bool CheckBalances(uint64_t position);
  bool CheckCertificate(const StoredEvent& event);

  std::optional<std::string> public_key_;
  ChainCheck chain_;  // AddEvent's
  LedgerState state_;
  ServiceHistory services_;   // for recounting certificates' figures
  std::vector<Hash> hashes_;  // chain hash at every position, for checkpoints that come later
  VerifyReport report_;
};

// The report as JSON (for `ledgerctl verify --report FILE`).
std::string VerifyReportJson(const VerifyReport& report);

}  // namespace ledger
