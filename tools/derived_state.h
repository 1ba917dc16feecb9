// The derived state of a ledger as canonical JSON (docs/rules.md, "The derived state"): every
// member, service, request, partner, fund, source with its uses, outflow with its sources and
// monthly report, keyed as the REST reads name them. `ledgerctl verify --dump FILE` writes it
// from LedgerState; tools/audit/rederive.py writes the same document from its own replay, so
// that two independent implementations can be compared field by field
// (`tools/audit/compare A B`).
#pragma once

#include <cstdint>
#include <string>

#include "domain/ledger_state.h"
#include "eventstore/event.h"

namespace ledger::tools {

// The document, canonical (RFC 8785: sorted keys, no whitespace, integers only), with a final
// newline. `events` and `head` are the log's length and its last hash.
std::string DerivedStateJson(const LedgerState& state, uint64_t events, const Hash& head);

}  // namespace ledger::tools
