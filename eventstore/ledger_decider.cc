#include "eventstore/ledger_decider.h"

#include "domain/event_payload.h"
#include "domain/scope_rules.h"
#include "eventstore/ledger_replay.h"

namespace ledger {

Status StatusForOutcome(Outcome outcome, const EventDraft& event) {
  const std::string code(OutcomeCode(outcome));
  std::string message = event.type + " '" + event.id + "' refused: " + code;
  const StatusCode status_code =
      IsInputError(outcome) ? StatusCode::kInvalidArgument : StatusCode::kRefused;
  return Status(status_code, std::move(message), code);
}

namespace {

// The payload as its declared type, or InvalidArgument.
Result<const events::EventData*> TypedData(const EventDraft& event) {
  const events::EventData* data = VerifyEventData(event.payload);
  if (data == nullptr || EventTypeName(data->data_type()) != event.type) {
    return Status(StatusCode::kInvalidArgument,
                  "event '" + event.id + "': payload is not a valid " + event.type,
                  "invalid_field");
  }
  return data;
}

Status CheckScope(const LedgerState& state, const EventDraft& event,
                  const events::EventData& data) {
  if (std::optional<std::string> denied = CheckWriteScope(state, event.scope, data)) {
    return Status(StatusCode::kForbidden, "event '" + event.id + "': " + *denied);
  }
  return Status::Ok();
}

}  // namespace

Status DecideEvent(LedgerState& state, EventDraft& event) {
  Result<const events::EventData*> typed = TypedData(event);
  if (!typed.ok()) return typed.status();
  const events::EventData* data = *typed;
  // Scope first, against this very state: what the batch created before this event counts,
  // and nothing another writer creates can come between the check and the write.
  if (Status status = CheckScope(state, event, *data); !status.ok()) return status;
  if (event.stream.empty()) event.stream = state.StreamOf(*data);
  const EventMeta meta{0, EventRef(event.id), event.stream, event.occurred_at_us, {}};
  const Execution execution = state.Execute(meta, *data);
  if (execution.outcome != Outcome::kOk) return StatusForOutcome(execution.outcome, event);
  if (execution.computed_amount_fen) {
    event.payload =
        WithRedemptionAmount(*data->data_as_RedemptionMade(), execution.computed_amount_fen->value);
  }
  // A gift recorded now is marked as one (its credits are redeemed without a star bonus).
  if (execution.mark_gift) event.payload = WithGift(*data->data_as_CreditsTransferred());
  return Status::Ok();
}

Status LedgerDecider::Prime(EventStore& store) {
  Result<std::unique_ptr<ReadModelStore>> rows = store.OpenReadModel(kLedgerReadModel);
  if (!rows.ok()) return rows.status();
  LedgerState state;
  Result<Position> checkpoint = LoadLedgerState(**rows, state);
  if (!checkpoint.ok()) return checkpoint.status();
  return Prime(store, std::move(state), *checkpoint);
}

Status LedgerDecider::Prime(EventStore& store, LedgerState loaded, Position checkpoint) {
  Result<Position> replayed = ReplayInto(store, checkpoint, loaded);
  if (!replayed.ok()) return replayed.status();
  state_ = std::move(loaded);
  primed_ = true;
  return Status::Ok();
}

Status LedgerDecider::Decide(std::span<EventDraft* const> events) {
  if (!primed_) return Status::Unavailable("the ledger is starting; try again shortly");
  if (open_transaction_) state_.Commit();
  open_transaction_ = false;
  state_.Begin();
  for (EventDraft* event : events) {
    if (Status status = DecideEvent(state_, *event); !status.ok()) {
      state_.Rollback();
      return status;
    }
  }
  open_transaction_ = true;
  return Status::Ok();
}

Status LedgerDecider::AdmitRepeat(const EventDraft& event) {
  if (!primed_) return Status::Unavailable("the ledger is starting; try again shortly");
  Result<const events::EventData*> typed = TypedData(event);
  if (!typed.ok()) return typed.status();
  return CheckScope(state_, event, **typed);
}

void LedgerDecider::Undo() {
  if (!open_transaction_) return;
  state_.Rollback();
  open_transaction_ = false;
}

}  // namespace ledger
