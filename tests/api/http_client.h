// A minimal HTTP/1.1 client over a POSIX socket, for tests that must also send what no proper
// client would: malformed, truncated, oversized or slow requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class HttpClient {
 public:
  // Connects to 127.0.0.1:port; aborts the test binary if it cannot (a broken test setup).
  explicit HttpClient(uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends raw bytes; false if the connection is gone.
  bool Send(std::string_view bytes);
  // Half-closes: the server sees end of stream.
  void ShutdownWrite();
  // Reads one response (Content-Length framed; none for the answer to a HEAD, `head_request`);
  // nullopt on end of stream, error or timeout.
  std::optional<HttpReply> Read(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                bool head_request = false);
  // True when the server closes the connection within `timeout` (reads see end of stream).
  bool WaitClosed(std::chrono::milliseconds timeout);

  // Sends one well-formed request and reads its response. `headers` are more header lines, each
  // ending in "\r\n" ("Cookie: zl_session=...\r\n").
  std::optional<HttpReply> Request(std::string_view method, std::string_view target,
                                   std::string_view body = {}, std::string_view key = {},
                                   std::string_view content_type = "application/json",
                                   std::string_view headers = {});

  // The bytes of a well-formed request.
  static std::string Format(std::string_view method, std::string_view target, std::string_view body,
                            std::string_view key, std::string_view content_type,
                            std::string_view headers = {});

 private:
  int fd_ = -1;
  std::string pending_;  // bytes read past the last response
};

}  // namespace ledger::testing
