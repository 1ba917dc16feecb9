#include "api/problem.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace ledger::api {
namespace {

std::string_view Title(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Internal Server Error" : "Error";
  }
}

}  // namespace

Response ProblemResponse(const Problem& problem) {
  boost::json::object body;
  body["type"] = "https://zhaiyi-ledger.example/problems/" + problem.code;
  body["title"] = Title(problem.status);
  body["status"] = problem.status;
  body["detail"] = problem.detail;
  body["code"] = problem.code;
  if (!problem.field.empty()) body["field"] = problem.field;
  Response response;
  response.status = problem.status;
  response.content_type = "application/problem+json";
  response.body = boost::json::serialize(body);
  if (problem.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (problem.status == 503 || problem.status == 429) {
    response.headers.emplace_back("Retry-After", "1");
  }
  return response;
}

Problem ProblemForStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      break;
    case StatusCode::kInvalidArgument:
      return MakeProblem(400, status.reason().empty() ? "invalid_field" : status.reason(),
                         status.message());
    case StatusCode::kNotFound:
      return MakeProblem(404, "not_found", status.message());
    case StatusCode::kIdConflict:
      return MakeProblem(409, "id_conflict", status.message());
    case StatusCode::kWrongExpectedVersion:
      return MakeProblem(409, "wrong_expected_version", status.message());
    case StatusCode::kRefused:
      return MakeProblem(422, status.reason(), status.message());
    case StatusCode::kForbidden:
      return MakeProblem(403, "forbidden", status.message());
    case StatusCode::kOverloaded:
    case StatusCode::kTimedOut:
    case StatusCode::kUnavailable:
      return MakeProblem(503, "unavailable", status.message());
    case StatusCode::kIoError:
    case StatusCode::kCorruption:
    case StatusCode::kFailedPrecondition:
      break;
  }
  return MakeProblem(500, "internal", "the ledger failed: " + status.message());
}

}  // namespace ledger::api
