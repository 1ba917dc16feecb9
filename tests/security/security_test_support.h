// Small helpers the security tests share: reading a problem's code and a number of a JSON body.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "tests/api/api_fixture.h"
#include "tests/domain/event_builder.h"

namespace ledger::security_testing {

inline std::string Code(const api::Response& response) {
  boost::json::value body = testing::JsonOf(response.body);
  return body.is_object() && body.as_object().contains("code")
             ? std::string(body.at("code").as_string())
             : "";
}

inline int64_t Int(const boost::json::value& v, std::string_view key) {
  return v.at(key).to_number<int64_t>();
}

inline const int64_t kNovember = testing::BeijingUs(2026, 11, 5);

inline std::string Event(std::string_view id, std::string_view type, std::string_view fields,
                         int64_t at = kNovember) {
  return testing::ApiFixture::EventJson(id, type, fields, at);
}

}  // namespace ledger::security_testing
