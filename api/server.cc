#include "api/server.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "api/problem.h"
#include "domain/mutex.h"

namespace ledger::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::chrono::milliseconds kWaitPollFirst{1};
constexpr std::chrono::milliseconds kWaitPollMax{20};
constexpr std::chrono::milliseconds kRequestLogFlushInterval{1000};
// How long a TLS connection may take to exchange close_notify before it is cut.
constexpr std::chrono::milliseconds kTlsShutdownTimeout{1000};

// The request log's sink: one line per request to stdout, through stdio's buffer like every
// other log line, but without the flush after each line that spdlog's console sinks do: that
// was a write(2) per request, more than the rest of answering a GET from memory costs in user
// space. The server flushes it every kRequestLogFlushInterval and at shutdown, and every other
// log line (warnings, errors, assertions) still flushes stdout at once, these lines with it, in
// order. What a SIGKILL loses is at most the last interval's request lines.
class BufferedStdoutSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t line;
    formatter_->format(message, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

// Whether `value` is exactly the transfer coding "chunked" (case-insensitive, RFC 9112 §7),
// around optional whitespace.
bool IsChunkedOnly(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return beast::iequals(value, "chunked");
}

// The problem with a request head whose framing or Host is ambiguous, or nullopt when it is
// sound. Beast reads a Transfer-Encoding without a final "chunked" as no body at all, so the
// body's bytes would be parsed as the next request: a proxy in front that frames it otherwise
// lets a client smuggle a request past it. RFC 9112 §6.1 wants such a message refused and the
// connection closed; so is every coding but plain chunked (there are no others we decode), a
// Transfer-Encoding in HTTP/1.0, and Transfer-Encoding together with Content-Length.
std::optional<Problem> CheckHead(const http::request_header<>& head) {
  const size_t hosts = head.count(http::field::host);
  if (hosts > 1 || (hosts == 0 && head.version() >= 11)) {  // RFC 9112 §3.2
    return MakeProblem(400, "invalid_request", "an HTTP/1.1 request has exactly one Host header");
  }
  const size_t codings = head.count(http::field::transfer_encoding);
  if (codings == 0) return std::nullopt;
  if (head.version() < 11) {
    return MakeProblem(400, "invalid_request", "Transfer-Encoding is not part of HTTP/1.0");
  }
  if (head.count(http::field::content_length) > 0) {
    return MakeProblem(400, "invalid_request",
                       "a request has Transfer-Encoding or Content-Length, not both");
  }
  if (codings > 1 || !IsChunkedOnly(head[http::field::transfer_encoding])) {
    return MakeProblem(400, "invalid_request", "the only Transfer-Encoding accepted is chunked");
  }
  return std::nullopt;
}

// The name of the first field in `fields` (raw header lines) whose value holds a control
// character (RFC 9110 §5.5: none but horizontal tab), or "" when none does. A request line
// among them is harmless: it holds no control character once parsed.
std::string_view FieldWithControlCharacter(std::string_view fields) {
  fields = fields.substr(0, fields.find("\r\n\r\n"));
  size_t at = 0;
  while (at < fields.size()) {
    const size_t end = std::min(fields.find("\r\n", at), fields.size());
    const std::string_view line = fields.substr(at, end - at);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      for (const char c : line.substr(colon + 1)) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\t') || byte == 0x7f) return line.substr(0, colon);
      }
    }
    at = end + 2;
  }
  return {};
}

void LimitRequest(http::request_parser<http::string_body>& parser, const ServerOptions& options) {
  parser.body_limit(options.request_body_bytes_max);
  parser.header_limit(static_cast<uint32_t>(options.request_header_bytes_max));
}

// The handler's view of a parsed request; takes the body.
Request ToRequest(http::request<http::string_body>& message) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.authorization = std::string(message[http::field::authorization]);
  request.content_type = std::string(message[http::field::content_type]);
  request.cookie = std::string(message[http::field::cookie]);
  request.csrf_token = std::string(message["X-CSRF-Token"]);
  request.accept_encoding = std::string(message[http::field::accept_encoding]);
  request.if_none_match = std::string(message[http::field::if_none_match]);
  request.body = std::move(message.body());
  return request;
}

}  // namespace

// A connection as the server's registry sees it: plain HTTP or HTTPS (HttpSession below).
class Session {
 public:
  virtual ~Session() = default;
  // On the session's I/O thread: closes the connection unless a request is in progress (which
  // then closes after its response).
  virtual void Stop() = 0;
};

// One I/O thread: an io_context run by exactly one thread. Each connection is placed on one of
// them, round robin, when accepted and stays there, so its handlers never run concurrently and
// need no strand, and ready sockets are not handed between threads through a shared scheduler
// (the shape of nginx's workers). One io_context shared by both threads cost about a tenth more
// CPU per GET on 2 cores (scripts/bench http). The price: a handler that blocks (a coordinator's
// write waiting for the projection, at most projection_catch_up_max) holds up the other
// connections of its thread, not of the whole server.
struct IoThread {
  IoThread() : io(1), work(net::make_work_guard(io)) {}  // 1: run by one thread

  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work;
  std::thread thread;
};

struct Server::Impl {
  Impl(Handler& handler, ServerOptions options)
      : handler(handler),
        options(std::move(options)),
        io_threads(MakeIoThreads(this->options)),
        acceptor(io_threads.front()->io),
        request_log_flush(io_threads.front()->io) {
    if (this->options.log_requests) {
      request_log = std::make_shared<spdlog::logger>("", std::make_shared<BufferedStdoutSink>());
    }
  }

  static std::vector<std::unique_ptr<IoThread>> MakeIoThreads(const ServerOptions& options) {
    std::vector<std::unique_ptr<IoThread>> threads;
    for (int i = 0; i < std::max(1, options.io_threads); ++i) {
      threads.push_back(std::make_unique<IoThread>());
    }
    return threads;
  }

  void Accept();
  // Starts a session on `socket` unless a connection cap is reached; else closes it. False when
  // the server is stopping (then nothing more is accepted).
  bool AdmitOrClose(tcp::socket socket) EXCLUDES(mutex);
  template <typename SessionType>
  void Start(std::shared_ptr<SessionType> session);
  void FlushRequestLogLater();
  // Sets tls_context up from the PEM files of `tls`.
  [[nodiscard]] Status LoadTlsContext(const TlsOptions& tls);
  void Register(Session* session, std::weak_ptr<Session> weak) EXCLUDES(mutex);
  void Unregister(Session* session, const net::ip::address& client) EXCLUDES(mutex);

  Handler& handler;
  const ServerOptions options;
  std::vector<std::unique_ptr<IoThread>> io_threads;  // never empty
  tcp::acceptor acceptor;                        // on io_threads[0]; only its thread touches it
  std::optional<net::ssl::context> tls_context;  // HTTPS when set; read-only once serving
  size_t next_io_thread = 0;  // round robin of new connections; acceptor's thread only
  uint16_t port = 0;
  std::shared_ptr<spdlog::logger> request_log;  // null unless options.log_requests
  net::steady_timer request_log_flush;          // on io_threads[0], like the acceptor
  bool request_log_flush_stopped = false;       // io_threads[0] only

  Mutex mutex;
  CondVar sessions_cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions GUARDED_BY(mutex);
  // Open connections by client address, none at zero.
  std::unordered_map<net::ip::address, size_t> connections_by_client GUARDED_BY(mutex);
  bool stopping GUARDED_BY(mutex) = false;
  bool shut_down GUARDED_BY(mutex) = false;
};

// One connection: (for HTTPS, a TLS handshake, then) read a request, answer it, repeat while
// keep-alive. `Stream` is beast::tcp_stream or TlsStream; both are bounded the same way: the
// connection caps apply at accept, the handshake has the read deadline, and reads, writes and
// shutdown are the same code.
template <typename Stream>
class HttpSession final : public Session, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  HttpSession(tcp::socket&& socket, net::ip::address client, Server::Impl& server)
      : stream_(MakeStream(std::move(socket), server)),
        client_(std::move(client)),
        server_(server),
        read_deadline_(stream_.get_executor()),
        wait_timer_(stream_.get_executor()) {}

  ~HttpSession() override { server_.Unregister(this, client_); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

  void Stop() override {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      if (!self->busy_) self->Close();
    });
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, Server::Impl& server) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *server.tls_context);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // HTTPS: the handshake, within the read deadline; a client that fails it (plain HTTP, an
  // old protocol version) is closed without an answer.
  void Handshake() {
    Tcp().expires_after(server_.options.read_timeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code ec) {
                              if (ec) return self->CloseSocket();
                              self->handshake_done_ = true;
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    if (stopping_) return Close();
    parser_.emplace();
    LimitRequest(*parser_, server_.options);
    // The read deadline is our own timer rather than the stream's, which would close the
    // socket and leave no way to answer 408.
    Tcp().expires_never();
    timed_out_ = false;
    read_deadline_.expires_after(server_.options.read_timeout);
    read_deadline_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the request arrived in time
      self->timed_out_ = true;
      beast::error_code ignored;
      self->Tcp().socket().cancel(ignored);
    });
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    busy_ = true;
    if (std::optional<Problem> problem = CheckHead(parser_->get())) return SendError(*problem);
    // curl and others wait for "100 Continue" before sending a larger body.
    const auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      auto response = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                         parser_->get().version());
      http::async_write(stream_, *response,
                        [self = this->shared_from_this(), response](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    busy_ = false;
    read_deadline_.cancel();
    if (timed_out_) {
      // Silent idle keep-alive connections just close; a request begun and not finished in
      // time is answered.
      if (parser_ && parser_->got_some()) {
        return SendError(MakeProblem(408, "request_timeout",
                                     "the request did not arrive within the read deadline"));
      }
      return Close();
    }
    if (ec == http::error::body_limit) {
      return SendError(MakeProblem(
          413, "too_large",
          "the body is over " + std::to_string(server_.options.request_body_bytes_max) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      return SendError(MakeProblem(431, "header_too_large", "the request headers are too large"));
    }
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    if (ec == http::error::partial_message) {
      return SendError(MakeProblem(400, "invalid_request", "the request was cut short"));
    }
    if (ec == http::error::bad_value) {
      // A control character in a field's value. In the key it is a wrong key like any other,
      // and is answered the same way, not with a parse error a prober could tell apart. The
      // parser leaves what it did not accept in the buffer (from the faulty field on), so the
      // field is found there.
      const auto head = static_cast<const char*>(buffer_.data().data());
      const std::string_view field = FieldWithControlCharacter({head, buffer_.size()});
      if (beast::iequals(field, "authorization")) {
        return SendError(MakeProblem(401, "unauthenticated",
                                     "send a valid key as 'Authorization: Bearer <key>'"));
      }
    }
    if (ec.category() == beast::error_code(http::error::bad_target).category()) {
      return SendError(MakeProblem(400, "invalid_request", "malformed HTTP: " + ec.message()));
    }
    Close();
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    started_ = Clock::now();
    read_deadline_.cancel();
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    Request request = ToRequest(message);
    method_ = request.method;
    request.client_address = client_.to_string();
    Step step = server_.handler.Start(request);
    if (auto* response = std::get_if<Response>(&step)) return Send(std::move(*response));
    if (auto* append = std::get_if<PendingAppend>(&step)) {
      // The store answers on its writer thread; the response is built on this session's I/O
      // thread. The work guard keeps that thread running until the append is answered
      // (shutdown).
      auto finish = std::make_shared<decltype(append->finish)>(std::move(append->finish));
      server_.handler.AppendAsync(std::move(append->drafts),
                                  [self = this->shared_from_this(), finish,
                                   work = net::make_work_guard(stream_.get_executor())](
                                      Result<std::vector<AppendResult>> result) mutable {
                                    net::post(self->stream_.get_executor(),
                                              [self, finish, result = std::move(result)]() mutable {
                                                self->Send((*finish)(result));
                                              });
                                    work.reset();
                                  });
      return;
    }
    if (auto* work = std::get_if<PendingWork>(&step)) {
      // Like an append: done on the password pool, answered on this session's I/O thread.
      server_.handler.RunAsync(
          std::move(*work),
          [self = this->shared_from_this(),
           guard = net::make_work_guard(stream_.get_executor())](Response response) mutable {
            net::post(self->stream_.get_executor(),
                      [self, response = std::move(response)]() mutable {
                        self->Send(std::move(response));
                      });
            guard.reset();
          });
      return;
    }
    auto wait = std::make_shared<PendingWait>(std::get<PendingWait>(std::move(step)));
    Wait(std::move(wait), Clock::now() + server_.handler.wait_max(), kWaitPollFirst);
  }

  // Polls the projection's progress with a growing interval until applied or the deadline.
  void Wait(std::shared_ptr<PendingWait> wait, Clock::time_point deadline,
            std::chrono::milliseconds interval) {
    if (server_.handler.Applied(wait->next)) return Send(wait->resume());
    if (Clock::now() >= deadline) return Send(wait->timed_out());
    wait_timer_.expires_after(interval);
    wait_timer_.async_wait([self = this->shared_from_this(), wait = std::move(wait), deadline,
                            interval](beast::error_code) mutable {
      self->Wait(std::move(wait), deadline, std::min(interval * 2, kWaitPollMax));
    });
  }

  void SendError(const Problem& problem) {
    started_ = Clock::now();
    read_deadline_.cancel();
    method_ =
        parser_ && parser_->is_header_done() ? std::string(parser_->get().method_string()) : "-";
    keep_alive_ = false;  // the stream is out of step with the protocol: close after
    Response response = ProblemResponse(problem);
    response.route = Metrics::kUnparsedRoute;
    Send(std::move(response));
  }

  void Send(Response response) {
    busy_ = true;
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_ == 0 ? 11 : version_);
    message->set(http::field::server, "zhaiyi-ledger");
    if (!response.content_type.empty()) {
      message->set(http::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    const bool keep_alive = keep_alive_ && !stopping_;
    message->keep_alive(keep_alive);
    message->prepare_payload();
    // HEAD: the headers a GET would get, Content-Length included, and no body (RFC 9110 §9.3.2).
    if (method_ == "HEAD") message->body().clear();
    const int64_t latency_us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
    server_.handler.metrics().RecordRequest(method_, response.route, response.status, latency_us);
    if (server_.request_log) {
      server_.request_log->info("{} {} {} {}us key={}", method_, response.route, response.status,
                                latency_us, response.key_id.empty() ? "-" : response.key_id);
    }
    Tcp().expires_after(server_.options.write_timeout);
    http::async_write(
        stream_, *message,
        [self = this->shared_from_this(), message, keep_alive](beast::error_code ec, size_t) {
          self->busy_ = false;
          if (ec || !keep_alive) return self->Close();
          self->ReadHeader();
        });
  }

  // Closes the connection; HTTPS first sends close_notify (and waits for the peer's, briefly).
  void Close() {
    read_deadline_.cancel();
    wait_timer_.cancel();
    if constexpr (kTls) {
      if (handshake_done_ && !tls_shutdown_started_) {
        tls_shutdown_started_ = true;
        Tcp().expires_after(kTlsShutdownTimeout);
        stream_.async_shutdown(
            [self = this->shared_from_this()](beast::error_code) { self->CloseSocket(); });
        return;
      }
    }
    CloseSocket();
  }

  void CloseSocket() {
    read_deadline_.cancel();
    wait_timer_.cancel();
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Tcp().socket().close(ignored);
  }

  Stream stream_;
  const net::ip::address client_;  // counted in server_.connections_by_client
  Server::Impl& server_;
  net::steady_timer read_deadline_;  // for the request being read
  net::steady_timer wait_timer_;     // polls min_position waits
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool timed_out_ = false;       // the read deadline fired
  bool busy_ = false;            // a request is being read past its header, answered or written
  bool stopping_ = false;        // the server is shutting down: no keep-alive
  bool handshake_done_ = false;  // HTTPS: the TLS handshake succeeded
  bool tls_shutdown_started_ = false;  // HTTPS: close_notify is on its way
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::string method_ = "-";
  Clock::time_point started_ = Clock::now();
};

void Server::Impl::Accept() {
  net::io_context& io = io_threads[next_io_thread]->io;
  next_io_thread = (next_io_thread + 1) % io_threads.size();
  acceptor.async_accept(io, [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted) return;  // shutting down
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      if (!AdmitOrClose(std::move(socket))) return;  // shutting down
    }
    Accept();
  });
}

bool Server::Impl::AdmitOrClose(tcp::socket socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return true;  // gone already; the socket closes with this scope
  net::ip::address client = peer.address();
  if (client.is_v6() && client.to_v6().is_v4_mapped()) {
    client = net::ip::make_address_v4(net::ip::v4_mapped, client.to_v6());
  }
  std::optional<Metrics::ConnectionLimit> refused;
  {
    MutexLock lock(mutex);
    if (stopping) return false;
    const auto held = connections_by_client.find(client);
    if (sessions.size() >= options.connections_max) {
      refused = Metrics::ConnectionLimit::kConnectionsMax;
    } else if (held != connections_by_client.end() &&
               held->second >= options.connections_per_client_max) {
      refused = Metrics::ConnectionLimit::kConnectionsPerClientMax;
    } else {
      ++connections_by_client[client];
    }
  }
  if (refused) {
    // Closed at once, unanswered: an answer would cost a write to a client already over.
    handler.metrics().RecordConnectionRefused(*refused);
    socket.close(ec);
    return true;
  }
  if (tls_context) {
    Start(std::make_shared<HttpSession<TlsStream>>(std::move(socket), std::move(client), *this));
  } else {
    Start(std::make_shared<HttpSession<beast::tcp_stream>>(std::move(socket), std::move(client),
                                                           *this));
  }
  return true;
}

template <typename SessionType>
void Server::Impl::Start(std::shared_ptr<SessionType> session) {
  Register(session.get(), session);
  session->Start();
}

Status Server::Impl::LoadTlsContext(const TlsOptions& tls) {
  tls_context.emplace(net::ssl::context::tls_server);
  net::ssl::context& context = *tls_context;
  // TLS 1.2 and newer, whatever the system's OpenSSL configuration allows: the minimum is set
  // on the context after that configuration was applied, and the option bits say it again.
  context.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                      net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  if (SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1) {
    return Status::InvalidArgument("cannot require TLS 1.2 from OpenSSL");
  }
  beast::error_code ec;
  context.use_certificate_chain_file(tls.certificate_chain_file, ec);
  if (ec) {
    return Status::InvalidArgument("TLS certificate " + tls.certificate_chain_file + ": " +
                                   ec.message());
  }
  context.use_private_key_file(tls.private_key_file, net::ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument("TLS key " + tls.private_key_file + ": " + ec.message());
  }
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    return Status::InvalidArgument("TLS key " + tls.private_key_file +
                                   " does not match the certificate");
  }
  return Status::Ok();
}

void Server::Impl::FlushRequestLogLater() {
  request_log_flush.expires_after(kRequestLogFlushInterval);
  request_log_flush.async_wait([this](beast::error_code ec) {
    request_log->flush();
    if (!ec && !request_log_flush_stopped) FlushRequestLogLater();
  });
}

void Server::Impl::Register(Session* session, std::weak_ptr<Session> weak) {
  MutexLock lock(mutex);
  sessions.emplace(session, std::move(weak));
}

void Server::Impl::Unregister(Session* session, const net::ip::address& client) {
  MutexLock lock(mutex);
  sessions.erase(session);
  auto held = connections_by_client.find(client);
  if (held != connections_by_client.end() && --held->second == 0) {
    connections_by_client.erase(held);
  }
  sessions_cv.NotifyAll();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Server>> Server::Start(Handler& handler, ServerOptions options) {
  auto impl = std::make_unique<Impl>(handler, std::move(options));
  beast::error_code ec;
  const auto address = net::ip::make_address(impl->options.address, ec);
  if (ec) return Status::InvalidArgument("bad listen address '" + impl->options.address + "'");
  const tcp::endpoint endpoint(address, impl->options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("listen on " + impl->options.address + ":" +
                           std::to_string(impl->options.port) + ": " + ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  if (impl->options.tls) {
    if (Status status = impl->LoadTlsContext(*impl->options.tls); !status.ok()) return status;
  }
  impl->Accept();
  if (impl->request_log) impl->FlushRequestLogLater();
  for (auto& io_thread : impl->io_threads) {
    io_thread->thread = std::thread([io = &io_thread->io] { io->run(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::~Server() { Shutdown(); }

uint16_t Server::port() const { return impl_->port; }

bool Server::tls() const { return impl_->tls_context.has_value(); }

void Server::Shutdown() {
  Impl& s = *impl_;
  std::vector<std::shared_ptr<Session>> live;
  {
    MutexLock lock(s.mutex);
    if (s.shut_down) return;
    s.shut_down = true;
    s.stopping = true;
    for (auto& [pointer, weak] : s.sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  s.handler.SetDraining();
  net::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    // A pending flush timer would keep the thread running; the last flush is below.
    s.request_log_flush_stopped = true;
    s.request_log_flush.cancel();
  });
  for (const auto& session : live) session->Stop();
  live.clear();
  bool drained;
  {
    MutexLock lock(s.mutex);
    drained = s.sessions_cv.WaitFor(lock, s.options.shutdown_grace,
                                    [&]() REQUIRES(s.mutex) { return s.sessions.empty(); });
  }
  for (auto& io_thread : s.io_threads) {
    io_thread->work.reset();
    if (!drained) io_thread->io.stop();  // the grace ran out: cut what is left
  }
  for (auto& io_thread : s.io_threads) io_thread->thread.join();
  if (s.request_log) s.request_log->flush();  // the lines of the requests finished meanwhile
}

std::optional<Request> ParseHttpRequest(std::string_view bytes, const ServerOptions& options,
                                        std::string* error) {
  http::request_parser<http::string_body> parser;
  LimitRequest(parser, options);
  parser.eager(true);
  beast::error_code ec;
  net::const_buffer rest(bytes.data(), bytes.size());
  while (!parser.is_done()) {
    const size_t used = parser.put(rest, ec);
    rest += used;
    if (ec == http::error::need_more) {
      // Every byte is in, so this is the end of the stream. (Beast wants more bytes before the
      // next put, as a session reads them, and put_eof wants some bytes.)
      if (parser.got_some()) {
        parser.put_eof(ec);
      } else {
        ec = http::error::end_of_stream;
      }
    } else if (!ec && used > 0) {
      continue;
    }
    if (!ec && !parser.is_done()) ec = http::error::partial_message;
    if (ec) break;
  }
  if (ec) {
    *error = ec.message();
    return std::nullopt;
  }
  http::request<http::string_body> message = parser.release();
  if (std::optional<Problem> problem = CheckHead(message.base())) {  // as a session refuses it
    *error = problem->detail;
    return std::nullopt;
  }
  return ToRequest(message);
}

}  // namespace ledger::api
