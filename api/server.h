// Server: the HTTP/1.1 listener and sessions on Boost.Beast (the advanced server's shape), plain
// or HTTPS (Beast's ssl_stream over OpenSSL, TLS 1.2 and newer only). It only moves bytes: each
// complete request goes to Handler::Start; appends run through the store's asynchronous path
// and min_position waits on a timer, so I/O threads never block on them. Beast stays inside
// server.cc.
//
// Bounds: every read has a deadline (a slow or silent client is answered 408 and closed, an idle
// keep-alive connection closed); headers and bodies are capped (431 / 413); a connection has one
// request in progress at a time, so pipelined requests are answered in order and the read-ahead
// is bounded by the read buffer; connections beyond `connections_max` in all, or beyond
// `connections_per_client_max` from one client address, are closed at once (and counted in
// /metrics), so one client cannot take every connection.
//
// Thread-safety: Start, port and Shutdown may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/handler.h"
#include "domain/status.h"

namespace ledger::api {

// HTTPS: PEM files of the server's certificate (with its chain) and private key.
struct TlsOptions {
  std::string certificate_chain_file;
  std::string private_key_file;
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see port())
  int io_threads = 2;    // each serves its own connections, dealt round robin as they arrive
  size_t request_body_bytes_max = 1 << 20;
  size_t request_header_bytes_max = 16 * 1024;
  std::chrono::milliseconds read_timeout{15000};  // a whole request, or an idle keep-alive
  std::chrono::milliseconds write_timeout{15000};
  std::chrono::milliseconds shutdown_grace{10000};  // then remaining connections are cut
  size_t connections_max = 4096;
  // Open connections from one client address at most. Behind a reverse proxy every client has
  // the proxy's address: the proxy's own per-client limit applies then (docs/deploy.md).
  size_t connections_per_client_max = 256;
  // HTTPS when set (every bound above holds for it too); plain HTTP otherwise, e.g. on 127.0.0.1
  // behind a reverse proxy that terminates TLS (docs/deploy.md).
  std::optional<TlsOptions> tls;
  // One spdlog line per request, to stdout, flushed at least every second (not after each line).
  bool log_requests = true;
};

class Server {
 public:
  // Binds, listens and starts the I/O threads. IoError when the address cannot be bound;
  // InvalidArgument when the TLS certificate or key cannot be loaded or do not match.
  static Result<std::unique_ptr<Server>> Start(Handler& handler, ServerOptions options);

  // Shuts down if that has not happened yet.
  ~Server();

  // The port listened on (the one chosen when options.port was 0).
  uint16_t port() const;

  // Whether connections are HTTPS. Session cookies (there are none yet) must then be set with
  // the Secure attribute; behind a TLS-terminating proxy this is false and the proxy's
  // X-Forwarded-Proto says what the client used.
  bool tls() const;

  // Stops accepting, closes idle connections, lets every request in progress (and its append)
  // finish and be answered, then stops the I/O threads. Waits at most `shutdown_grace` for the
  // requests in progress. Idempotent.
  void Shutdown();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `bytes` through the request parser a session uses, with `options`' header and body limits, as
// the Request a session hands the handler; nullopt with `*error` set when the parser refuses them
// or they end before the request does (a session answers 400, 413 or 431, or closes). Bytes past
// the request are ignored. For the fuzzer (tests/fuzz): no socket, no Beast in the signature.
std::optional<Request> ParseHttpRequest(std::string_view bytes, const ServerOptions& options,
                                        std::string* error);

}  // namespace ledger::api
