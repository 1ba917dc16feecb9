#include "domain/status.h"

#include <cstdio>
#include <cstdlib>

namespace ledger {

void AssertionFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kIdConflict:
      return "id_conflict";
    case StatusCode::kWrongExpectedVersion:
      return "wrong_expected_version";
    case StatusCode::kRefused:
      return "refused";
    case StatusCode::kForbidden:
      return "forbidden";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kOverloaded:
      return "overloaded";
    case StatusCode::kTimedOut:
      return "timed_out";
    case StatusCode::kIoError:
      return "io_error";
    case StatusCode::kCorruption:
      return "corruption";
    case StatusCode::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  if (!reason_.empty()) out += "(" + reason_ + ")";
  out += ": ";
  out += message_;
  return out;
}

}  // namespace ledger
