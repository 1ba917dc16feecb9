// WebRoot: the web console's files (web/dist, as Vite builds it) served by ledgerd itself to
// GET and HEAD requests outside the API, without a key (../shared/API.md, "The web console").
//
// - A path that names a regular file under the root serves it; any other path serves
//   index.html, so each of the console's routes (/login, /certificates/ZYK-2026-000001) can be
//   opened directly, except under /assets/, where a missing file is a 404 (a stale page asking
//   for a chunk of an older build must fail, not get HTML as JavaScript).
// - Nothing outside the root is ever served: the path is percent-decoded once; `.` and `..`
//   segments (also as %2e), encoded '/' or '\', '\' and NUL are refused with 400; the file's
//   canonical path (symlinks resolved) must lie under the root's canonical path, else 404.
//   Names starting with '.' are not served (as if missing).
// - /assets/ holds content-hashed names: cached for a year, immutable. index.html and the other
//   files are revalidated on every use (no-cache, with an ETag).
// - When the client accepts gzip and `<file>.gz` exists (Vite's compression plugin writes it),
//   that is sent with Content-Encoding: gzip; compressible types always get Vary.
// - Every answer carries the console's security headers (kConsoleContentSecurityPolicy and
//   the ones beside it), error answers included.
//
// The root is looked up on every request, so a console built after ledgerd started is served
// without a restart; while it has no index.html, pages answer a short Chinese note saying how
// to build it. Files are read into memory per request: the console's files are small (a bound,
// web_file_bytes_max, refuses anything else).
//
// Thread-safety: immutable after construction; Serve may be called from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"

namespace ledger::api {

// The console's Content-Security-Policy. Scripts and everything else only from this origin and
// no inline script, so an injected <script> or on* attribute does not run. Styles also allow
// 'unsafe-inline' because Element Plus and ECharts set inline `style` attributes at run time
// (positions, sizes, colours); an inline style cannot run code. img-src allows data: for the QR
// codes of certificates and invitations. The console may not be framed (clickjacking), change
// its base URL, post forms elsewhere, or load plugins.
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

// Whether `path` (no query) belongs to the API: /v1 and below, /healthz, /readyz, /metrics and
// /openapi.json. Every other path is the console's.
bool IsApiPath(std::string_view path);

// The file a console path names, relative to the web root ("" for "/"), or nullopt when the
// path must be refused (400): not starting with '/', a malformed escape, an encoded '/' or '\',
// a '\' or NUL, or a `.` or `..` segment after decoding once. Empty segments are dropped.
std::optional<std::string> ConsoleFilePath(std::string_view path);

// Whether an Accept-Encoding header (RFC 9110 §12.5.3) accepts gzip: "gzip" or "x-gzip" with a
// q-value above 0, or else "*" with one. An absent header accepts no coding here (identity is
// always fine).
bool AcceptsGzip(std::string_view accept_encoding);

// A file's media type by its extension (with "; charset=utf-8" for text), and whether it is
// worth compressing. application/octet-stream for unknown extensions.
struct MediaType {
  std::string_view content_type;
  bool compressible;
};
MediaType MediaTypeOf(std::string_view file_name);

struct WebRootOptions {
  size_t web_file_bytes_max = 64 << 20;  // larger files are not served (404)
};

class WebRoot {
 public:
  // `dir` need not exist yet; "" means no console at all (the not-built note).
  explicit WebRoot(std::string dir, WebRootOptions options = {});

  // The answer to `request`. REQUIRES: `path` (the target without its query) is not an API path.
  Response Serve(const Request& request, std::string_view path) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  WebRootOptions options_;
};

}  // namespace ledger::api
