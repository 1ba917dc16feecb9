// Problems: the application/problem+json errors of the API (RFC 9457), and Checked<T>, a value
// or the problem that prevented it. `code` is the stable machine word clients switch on.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "api/http_types.h"
#include "domain/assert.h"
#include "domain/status.h"

namespace ledger::api {

struct Problem {
  int status = 400;
  std::string code;    // "invalid_field", "forbidden", ...
  std::string detail;  // one human sentence; never personal data or keys
  std::string field;   // JSON pointer of the field at fault, or empty
};

// A Problem with the given parts (shorthand for the many call sites).
inline Problem MakeProblem(int status, std::string code, std::string detail,
                           std::string field = {}) {
  return Problem{status, std::move(code), std::move(detail), std::move(field)};
}
inline Problem FieldProblem(std::string field, std::string detail) {
  return Problem{400, "invalid_field", std::move(detail), std::move(field)};
}

// The problem+json response for `problem`.
Response ProblemResponse(const Problem& problem);

// The HTTP problem for a non-OK store or domain status: IdConflict → 409 id_conflict,
// WrongExpectedVersion → 409 wrong_expected_version, Refused → 422 with code = reason(),
// InvalidArgument → 400 with code = reason() or invalid_field, NotFound → 404, Overloaded and
// Unavailable and TimedOut → 503 unavailable, anything else → 500 internal.
Problem ProblemForStatus(const Status& status);

template <typename T>
class [[nodiscard]] Checked {
 public:
  Checked(T value) : state_(std::move(value)) {}            // NOLINT: implicit by design
  Checked(Problem problem) : state_(std::move(problem)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Problem& problem() const {
    LEDGER_ASSERT(!ok());
    return std::get<Problem>(state_);
  }
  T& value() {
    LEDGER_ASSERT(ok());
    return std::get<T>(state_);
  }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Problem> state_;
};

}  // namespace ledger::api
