#include "api/web_root.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include "api/encoding.h"
#include "api/problem.h"

namespace ledger::api {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kIndexFile = "index.html";
constexpr std::string_view kAssetsDir = "assets";  // relative to the root
constexpr std::string_view kGzipSuffix = ".gz";
constexpr std::string_view kAllowedMethods = "GET, HEAD";
// Content-hashed names never change content: a year, and no revalidation (RFC 8246).
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
// Everything else (index.html above all, which names the current hashes) is revalidated.
constexpr std::string_view kRevalidate = "no-cache";

// What the console answers while it has no index.html: how to build it, in Chinese.
constexpr std::string_view kNotBuiltPage =
    "<!doctype html>\n"
    "<html lang=\"zh-CN\">\n"
    "<head><meta charset=\"utf-8\"><title>Zhaiyi Ledger 控制台尚未构建</title></head>\n"
    "<body>\n"
    "<h1>网页控制台尚未构建</h1>\n"
    "<p>这台服务器找不到控制台的文件（ledgerd 的 --web-root 目录里没有 index.html）。"
    "请在代码仓库的根目录运行 <code>npm --prefix web ci</code> 和 "
    "<code>npm --prefix web run build</code>，然后刷新本页。</p>\n"
    "<p>REST API 照常可用，说明见 <a href=\"/openapi.json\">/openapi.json</a>。</p>\n"
    "</body>\n"
    "</html>\n";

struct MediaTypeEntry {
  std::string_view extension;
  MediaType type;
};

constexpr std::array<MediaTypeEntry, 24> kMediaTypes = {{
    {"html", {"text/html; charset=utf-8", true}},
    {"js", {"text/javascript; charset=utf-8", true}},
    {"mjs", {"text/javascript; charset=utf-8", true}},
    {"css", {"text/css; charset=utf-8", true}},
    {"svg", {"image/svg+xml; charset=utf-8", true}},
    {"json", {"application/json; charset=utf-8", true}},
    {"map", {"application/json; charset=utf-8", true}},
    {"webmanifest", {"application/manifest+json; charset=utf-8", true}},
    {"txt", {"text/plain; charset=utf-8", true}},
    {"xml", {"application/xml; charset=utf-8", true}},
    {"wasm", {"application/wasm", true}},
    {"ico", {"image/x-icon", true}},
    {"png", {"image/png", false}},
    {"jpg", {"image/jpeg", false}},
    {"jpeg", {"image/jpeg", false}},
    {"gif", {"image/gif", false}},
    {"webp", {"image/webp", false}},
    {"avif", {"image/avif", false}},
    {"woff2", {"font/woff2", false}},
    {"woff", {"font/woff", false}},
    {"ttf", {"font/ttf", true}},
    {"otf", {"font/otf", true}},
    {"pdf", {"application/pdf", false}},
    {"gz", {"application/gzip", false}},
}};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The comma-separated elements of a header's list, trimmed, empty ones skipped.
template <typename Visit>
void ForEachListElement(std::string_view list, Visit visit) {
  while (!list.empty()) {
    const size_t comma = std::min(list.find(','), list.size());
    const std::string_view element = Trim(list.substr(0, comma));
    list.remove_prefix(std::min(comma + 1, list.size()));
    if (!element.empty()) visit(element);
  }
}

// Whether a qvalue (RFC 9110 §12.4.2: 0, 0.5, 1.000, ...) is above zero; false when malformed.
bool QualityAboveZero(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return false;
  if (q.size() > 1 && (q[1] != '.' || q.size() > 5)) return false;
  bool nonzero = q[0] == '1';
  for (size_t i = 2; i < q.size(); ++i) {
    if (q[i] < '0' || q[i] > '9') return false;
    if (q[0] == '1' && q[i] != '0') return false;  // above 1
    nonzero = nonzero || q[i] != '0';
  }
  return nonzero;
}

void AddSecurityHeaders(Response& response) {
  response.headers.emplace_back("Content-Security-Policy", kConsoleContentSecurityPolicy);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
}

Response ConsoleProblem(const Problem& problem) {
  Response response = ProblemResponse(problem);
  AddSecurityHeaders(response);
  return response;
}

Response ConsoleNotFound(std::string detail) {
  return ConsoleProblem(MakeProblem(404, "not_found", std::move(detail)));
}

Response NotBuilt() {
  Response response;
  response.status = 404;
  response.content_type = "text/html; charset=utf-8";
  response.body = kNotBuiltPage;
  response.headers.emplace_back("Cache-Control", kRevalidate);
  AddSecurityHeaders(response);
  return response;
}

// A regular file under the root, found by its relative path.
struct FoundFile {
  fs::path path;  // canonical
  uintmax_t size_bytes = 0;
  std::string etag;
};

enum class Lookup { kFound, kMissing, kOutside };

// Finds `relative` under `root` (canonical). kOutside when it resolves (through a symlink)
// outside the root; kMissing when it is not there, not a regular file, or hidden.
Lookup Find(const fs::path& root, const std::string& relative, FoundFile* found) {
  if (relative.empty() || relative.front() == '.' || relative.find("/.") != std::string::npos) {
    return Lookup::kMissing;
  }
  std::error_code error;
  const fs::path path = fs::canonical(root / relative, error);
  if (error) return Lookup::kMissing;
  const std::string& resolved = path.native();
  const std::string& base = root.native();
  if (resolved.size() <= base.size() || !resolved.starts_with(base) ||
      resolved[base.size()] != '/') {
    return Lookup::kOutside;
  }
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::is_regular_file(status)) return Lookup::kMissing;
  const uintmax_t size = fs::file_size(path, error);
  if (error) return Lookup::kMissing;
  const auto modified = fs::last_write_time(path, error);
  if (error) return Lookup::kMissing;
  found->path = path;
  found->size_bytes = size;
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%jx-%llx\"", size,
                static_cast<unsigned long long>(modified.time_since_epoch().count()));
  found->etag = etag;
  return Lookup::kFound;
}

// Whether a relative path is the assets folder or inside it.
bool IsUnderAssets(std::string_view relative) {
  return relative.starts_with(kAssetsDir) &&
         (relative.size() == kAssetsDir.size() || relative[kAssetsDir.size()] == '/');
}

// Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 §13.1.2) or is "*".
bool NoneMatchHits(std::string_view if_none_match, std::string_view etag) {
  bool hit = false;
  ForEachListElement(if_none_match, [&](std::string_view tag) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    hit = hit || tag == "*" || tag == etag;
  });
  return hit;
}

}  // namespace

bool IsApiPath(std::string_view path) {
  return path == "/v1" || path.starts_with("/v1/") || path == "/healthz" || path == "/readyz" ||
         path == "/metrics" || path == "/openapi.json";
}

std::optional<std::string> ConsoleFilePath(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  for (size_t i = 0; i + 2 < path.size(); ++i) {
    if (path[i] != '%') continue;
    const std::string escape = Lower(path.substr(i + 1, 2));
    if (escape == "2f" || escape == "5c") return std::nullopt;  // '/' or '\' in a name
  }
  const std::optional<std::string> decoded = PercentDecode(path, false);
  if (!decoded) return std::nullopt;
  if (decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos) {
    return std::nullopt;
  }
  std::string relative;
  std::string_view rest = *decoded;
  while (!rest.empty()) {
    const size_t slash = std::min(rest.find('/'), rest.size());
    const std::string_view segment = rest.substr(0, slash);
    rest.remove_prefix(std::min(slash + 1, rest.size()));
    if (segment.empty()) continue;
    if (segment == "." || segment == "..") return std::nullopt;
    if (!relative.empty()) relative += '/';
    relative += segment;
  }
  return relative;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<bool> gzip;
  std::optional<bool> any;
  ForEachListElement(accept_encoding, [&](std::string_view element) {
    const size_t semicolon = std::min(element.find(';'), element.size());
    const std::string coding = Lower(Trim(element.substr(0, semicolon)));
    bool acceptable = true;  // no q: q=1
    std::string_view parameters = element.substr(semicolon);
    while (!parameters.empty()) {
      parameters.remove_prefix(1);  // ';'
      const size_t next = std::min(parameters.find(';'), parameters.size());
      const std::string_view parameter = Trim(parameters.substr(0, next));
      parameters.remove_prefix(next);
      if (parameter.size() >= 2 && (parameter[0] == 'q' || parameter[0] == 'Q') &&
          parameter[1] == '=') {
        acceptable = QualityAboveZero(Trim(parameter.substr(2)));
      }
    }
    if (coding == "gzip" || coding == "x-gzip") {
      gzip = gzip.value_or(false) || acceptable;
    } else if (coding == "*") {
      any = any.value_or(false) || acceptable;
    }
  });
  if (gzip) return *gzip;
  return any.value_or(false);
}

MediaType MediaTypeOf(std::string_view file_name) {
  const size_t slash = file_name.rfind('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const size_t dot = file_name.rfind('.');
  if (dot != std::string_view::npos) {
    const std::string extension = Lower(file_name.substr(dot + 1));
    for (const MediaTypeEntry& entry : kMediaTypes) {
      if (entry.extension == extension) return entry.type;
    }
  }
  return {"application/octet-stream", false};
}

WebRoot::WebRoot(std::string dir, WebRootOptions options)
    : dir_(std::move(dir)), options_(options) {}

Response WebRoot::Serve(const Request& request, std::string_view path) const {
  if (request.method != "GET" && request.method != "HEAD") {
    Response response = ConsoleProblem(MakeProblem(
        405, "method_not_allowed", request.method + " is not allowed on the console's pages"));
    response.headers.emplace_back("Allow", kAllowedMethods);
    return response;
  }
  const std::optional<std::string> relative = ConsoleFilePath(path);
  if (!relative) {
    return ConsoleProblem(MakeProblem(400, "invalid_path", "the path is malformed or leaves /"));
  }
  const bool asset = IsUnderAssets(*relative);
  std::error_code error;
  const fs::path root = dir_.empty() ? fs::path() : fs::canonical(dir_, error);
  FoundFile index;
  if (dir_.empty() || error || Find(root, std::string(kIndexFile), &index) != Lookup::kFound) {
    return asset ? ConsoleNotFound("no console file /" + *relative) : NotBuilt();
  }

  // The file the path names, else index.html (the fallback), except under assets/.
  FoundFile file;
  std::string name = *relative;
  const Lookup lookup = relative->empty() ? Lookup::kMissing : Find(root, *relative, &file);
  if (lookup == Lookup::kOutside || (lookup == Lookup::kMissing && asset)) {
    return ConsoleNotFound("no console file /" + *relative);
  }
  if (lookup == Lookup::kMissing) {
    file = std::move(index);
    name = kIndexFile;
  }
  const MediaType type = MediaTypeOf(name);
  bool gzip = false;
  if (type.compressible && AcceptsGzip(request.accept_encoding)) {
    FoundFile compressed;
    if (Find(root, name + std::string(kGzipSuffix), &compressed) == Lookup::kFound) {
      file = std::move(compressed);
      file.etag.insert(file.etag.size() - 1, "-gzip");  // inside the quotes
      gzip = true;
    }
  }

  Response response;
  response.content_type = type.content_type;
  response.headers.emplace_back("Cache-Control", IsUnderAssets(name) ? kImmutable : kRevalidate);
  response.headers.emplace_back("ETag", file.etag);
  if (type.compressible) response.headers.emplace_back("Vary", "Accept-Encoding");
  if (gzip) response.headers.emplace_back("Content-Encoding", "gzip");
  AddSecurityHeaders(response);
  if (NoneMatchHits(request.if_none_match, file.etag)) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  if (file.size_bytes > options_.web_file_bytes_max) {
    return ConsoleNotFound("/" + name + " is too large to serve");
  }
  std::ifstream in(file.path, std::ios::binary);
  response.body.resize(file.size_bytes);
  if (!in.read(response.body.data(), static_cast<std::streamsize>(file.size_bytes))) {
    return ConsoleProblem(MakeProblem(500, "internal", "cannot read " + name));
  }
  return response;
}

}  // namespace ledger::api
