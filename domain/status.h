// Status and Result<T>: how every module reports an error across its boundary. No exception
// crosses a module boundary; an error is a value that must be looked at ([[nodiscard]]).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "domain/assert.h"

namespace ledger {

// A closed set of outcomes. The API maps each to one HTTP status and one problem `code`.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,       // malformed input: a field is missing, too long, out of range
  kNotFound,              // the thing read does not exist
  kIdConflict,            // an event id reused with different content
  kWrongExpectedVersion,  // a stream is not at the version the caller expected
  kRefused,               // a domain rule refuses the event (reason() names the rule)
  kForbidden,             // the writer's scope does not reach what the event touches
  kFailedPrecondition,    // stored data needs an operator's step first (e.g. a rebuild)
  kOverloaded,            // a bounded queue is full; try again later
  kTimedOut,              // a bounded wait ran out
  kIoError,               // the disk or the OS failed
  kCorruption,            // stored bytes fail verification
  kUnavailable,           // the component refuses work (failed, or shutting down)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string reason = {})
      : code_(code), message_(std::move(message)), reason_(std::move(reason)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  // A domain refusal: `reason` is the stable machine word (e.g. "insufficient_credits").
  static Status Refused(std::string reason, std::string m) {
    return {StatusCode::kRefused, std::move(m), std::move(reason)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The machine word of a kRefused status; empty otherwise.
  const std::string& reason() const { return reason_; }
  std::string ToString() const;

  // Marks an error as deliberately ignored, so that the choice can be found by grep.
  void PermitUnchecked() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    LEDGER_ASSERT(!std::get<Status>(state_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(state_);
  }
  T& value() & {
    LEDGER_ASSERT(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    LEDGER_ASSERT(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    LEDGER_ASSERT(ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace ledger
