// The web console's files (api/web_root.h): path checks, Accept-Encoding, media types, and
// serving over real sockets: files, the SPA fallback, caching, precompressed gzip, HEAD, 304,
// 405, security headers, and traversal attempts (.., %2e%2e, encoded slashes, symlinks out)
// that never get the outside file's bytes. Last, ledgerd's --web-root and LEDGER_WEB_ROOT.
#include "api/web_root.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/api/api_fixture.h"
#include "tests/api/ledgerd_process.h"
#include "tests/eventstore/test_support.h"

namespace ledger::api {
namespace {
using testing::HttpClient;
using testing::HttpReply;

constexpr std::string_view kIndexHtml =
    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>控制台</title>"
    "<script type=\"module\" src=\"/assets/app-abc123.js\"></script></head>"
    "<body><div id=\"app\"></div></body></html>\n";
constexpr std::string_view kSecret = "SECRET-outside-the-web-root-7d1e";

// gzip (RFC 1952) of `text`, as Vite's compression plugin writes it.
std::string Gzip(std::string_view text) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// The bytes a gzip member decompresses to; "" when it is not valid gzip.
std::string Gunzip(std::string_view bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return "";
  std::string out;
  char buffer[16384];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  return result == Z_STREAM_END ? out : "";
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// A built console as Vite leaves it, in `dir`/dist, and a secret file and folder beside it
// (outside the root) that symlinks inside point to.
struct BuiltConsole {
  testing::TempDir dir;
  std::string root = dir.path() + "/dist";
  std::string script;  // assets/app-abc123.js, several KB of repetitive text

  BuiltConsole() {
    for (int i = 0; i < 200; ++i) {
      script += "export const label" + std::to_string(i) + " = \"志愿服务时长\";\n";
    }
    WriteFile(root + "/index.html", kIndexHtml);
    WriteFile(root + "/assets/app-abc123.js", script);
    WriteFile(root + "/assets/app-abc123.js.gz", Gzip(script));
    WriteFile(root + "/assets/logo-9f8e7d.png", std::string("\x89PNG\r\n\x1a\n", 8) + "pixels");
    WriteFile(root + "/favicon.ico", "icon");
    WriteFile(root + "/.env", kSecret);
    WriteFile(dir.path() + "/secret.txt", kSecret);
    WriteFile(dir.path() + "/secret-dir/secret.txt", kSecret);
    std::filesystem::create_symlink(dir.path() + "/secret.txt", root + "/escape.txt");
    std::filesystem::create_symlink(dir.path() + "/secret-dir", root + "/assets/escape-dir");
    std::filesystem::create_symlink("app-abc123.js", root + "/assets/alias-abc123.js");
  }
};

std::string Header(const HttpReply& reply, const std::string& name) {
  auto found = reply.headers.find(name);
  return found == reply.headers.end() ? "" : found->second;
}

// The security headers every console answer carries.
void ExpectSecurityHeaders(const HttpReply& reply, const std::string& what) {
  EXPECT_EQ(Header(reply, "content-security-policy"), kConsoleContentSecurityPolicy) << what;
  EXPECT_EQ(Header(reply, "x-content-type-options"), "nosniff") << what;
  EXPECT_EQ(Header(reply, "referrer-policy"), "same-origin") << what;
  EXPECT_EQ(Header(reply, "x-frame-options"), "DENY") << what;
}

TEST(WebRootTest, ConsoleFilePathDecodesOnceAndRefusesEscapes) {
  struct Case {
    std::string_view path;
    std::optional<std::string> relative;
  };
  const std::vector<Case> cases = {
      {"/", ""},
      {"/login", "login"},
      {"/assets/app-abc123.js", "assets/app-abc123.js"},
      {"//assets//app.js", "assets/app.js"},
      {"/certificates/ZYK-2026-000001", "certificates/ZYK-2026-000001"},
      {"/%E5%BF%97%E6%84%BF", "志愿"},
      {"/%252e%252e/x", "%2e%2e/x"},  // decoded once: a name, not a parent
      {"/..", std::nullopt},
      {"/../secret.txt", std::nullopt},
      {"/assets/../../secret.txt", std::nullopt},
      {"/./index.html", std::nullopt},
      {"/%2e%2e/secret.txt", std::nullopt},
      {"/%2E%2e/secret.txt", std::nullopt},
      {"/.%2e/secret.txt", std::nullopt},
      {"/assets/..%2fsecret.txt", std::nullopt},
      {"/assets%2F..%2F..%2Fsecret.txt", std::nullopt},
      {"/assets%5c..%5csecret.txt", std::nullopt},
      {"/assets\\..\\secret.txt", std::nullopt},
      {"/index.html%00.js", std::nullopt},
      {"/%zz", std::nullopt},
      {"/%2", std::nullopt},
      {"index.html", std::nullopt},
      {"", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(ConsoleFilePath(c.path), c.relative) << c.path;
}

TEST(WebRootTest, AcceptsGzipReadsQValues) {
  struct Case {
    std::string_view header;
    bool gzip;
  };
  const std::vector<Case> cases = {
      {"gzip", true},
      {"gzip, deflate, br, zstd", true},
      {"GZip", true},
      {"x-gzip", true},
      {"br;q=1.0, gzip;q=0.8", true},
      {"gzip;q=0.001", true},
      {"gzip ; q=1", true},
      {"*", true},
      {"", false},
      {"identity", false},
      {"br, deflate", false},
      {"gzip;q=0", false},
      {"gzip; q=0.000", false},
      {"gzip;Q=0", false},
      {"gzip;q=0, *", false},  // named with 0 beats the wildcard
      {"*;q=0", false},
      {"gzip;q=1.5", false},  // malformed: not acceptable
      {"gzip;q=abc", false},
      {"gzip;q=0.0001", false},
  };
  for (const Case& c : cases) EXPECT_EQ(AcceptsGzip(c.header), c.gzip) << c.header;
}

TEST(WebRootTest, MediaTypesByExtension) {
  EXPECT_EQ(MediaTypeOf("index.html").content_type, "text/html; charset=utf-8");
  EXPECT_EQ(MediaTypeOf("assets/app-1.JS").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(MediaTypeOf("assets/app-1.mjs").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(MediaTypeOf("assets/app-1.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(MediaTypeOf("assets/app-1.js.map").content_type, "application/json; charset=utf-8");
  EXPECT_EQ(MediaTypeOf("manifest.webmanifest").content_type,
            "application/manifest+json; charset=utf-8");
  EXPECT_EQ(MediaTypeOf("logo.svg").content_type, "image/svg+xml; charset=utf-8");
  EXPECT_TRUE(MediaTypeOf("logo.svg").compressible);
  EXPECT_EQ(MediaTypeOf("font.woff2").content_type, "font/woff2");
  EXPECT_FALSE(MediaTypeOf("font.woff2").compressible);
  EXPECT_FALSE(MediaTypeOf("a.png").compressible);
  EXPECT_EQ(MediaTypeOf("favicon.ico").content_type, "image/x-icon");
  EXPECT_EQ(MediaTypeOf("Makefile").content_type, "application/octet-stream");
  EXPECT_EQ(MediaTypeOf("dir.v2/file").content_type, "application/octet-stream");
}

TEST(WebRootTest, ApiPathsAreNotTheConsoles) {
  for (std::string_view path : {"/v1", "/v1/events", "/v1/nothing/at/all", "/healthz", "/readyz",
                                "/metrics", "/openapi.json"}) {
    EXPECT_TRUE(IsApiPath(path)) << path;
  }
  for (std::string_view path : {"/", "/login", "/v1x", "/v2/events", "/healthz/x", "/assets/a.js",
                                "/certificates/ZYK-2026-000001"}) {
    EXPECT_FALSE(IsApiPath(path)) << path;
  }
}

// Over real sockets: a server in front of a handler whose web root is a built console.
class ConsoleServingTest : public ::testing::Test {
 protected:
  ConsoleServingTest() : api_(Options(console_.root)) { port_ = api_.StartServer(); }
  static HandlerOptions Options(const std::string& root) {
    HandlerOptions options;
    options.web_root = root;
    return options;
  }
  HttpReply Get(std::string_view target, std::string_view headers = {},
                std::string_view method = "GET") {
    HttpClient client(port_);
    std::optional<HttpReply> reply = client.Request(method, target, "", "", "", headers);
    EXPECT_TRUE(reply.has_value()) << target;
    return reply.value_or(HttpReply{});
  }

  BuiltConsole console_;
  testing::ApiFixture api_;
  uint16_t port_ = 0;
};

// GET / and every console route answer index.html, revalidated on each use; no key needed.
TEST_F(ConsoleServingTest, RoutesServeIndexHtml) {
  for (std::string_view path : {"/", "/index.html", "/login", "/volunteer", "/coordinator/queue",
                                "/certificates/ZYK-2026-000001", "/v1x", "/login?next=%2Fvolunteer",
                                "/favicon-missing.ico"}) {
    const HttpReply reply = Get(path);
    EXPECT_EQ(reply.status, 200) << path;
    EXPECT_EQ(reply.body, kIndexHtml) << path;
    EXPECT_EQ(Header(reply, "content-type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(Header(reply, "cache-control"), "no-cache") << path;
    EXPECT_EQ(Header(reply, "vary"), "Accept-Encoding") << path;
    EXPECT_EQ(Header(reply, "content-encoding"), "") << path;
    ExpectSecurityHeaders(reply, std::string(path));
  }
  // Other files at the root are served as they are, also revalidated.
  const HttpReply icon = Get("/favicon.ico");
  EXPECT_EQ(icon.status, 200);
  EXPECT_EQ(icon.body, "icon");
  EXPECT_EQ(Header(icon, "content-type"), "image/x-icon");
  EXPECT_EQ(Header(icon, "cache-control"), "no-cache");
  // The API keeps its own answers.
  const HttpReply api_miss = Get("/v1/nothing");
  EXPECT_EQ(api_miss.status, 404);
  EXPECT_EQ(Header(api_miss, "content-type"), "application/problem+json");
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/v1/events").status, 401);
}

// Hashed assets: cached for a year; gzip when accepted (q-values read), identity otherwise.
TEST_F(ConsoleServingTest, AssetsAreImmutableAndPrecompressed) {
  const HttpReply gzip = Get("/assets/app-abc123.js", "Accept-Encoding: gzip, deflate, br\r\n");
  EXPECT_EQ(gzip.status, 200);
  EXPECT_EQ(Header(gzip, "content-encoding"), "gzip");
  EXPECT_EQ(Header(gzip, "vary"), "Accept-Encoding");
  EXPECT_EQ(Header(gzip, "content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(gzip, "cache-control"), "public, max-age=31536000, immutable");
  EXPECT_LT(gzip.body.size(), console_.script.size() / 4);
  EXPECT_EQ(Gunzip(gzip.body), console_.script);
  ExpectSecurityHeaders(gzip, "gzip");

  for (std::string_view refused :
       {"", "Accept-Encoding: gzip;q=0\r\n", "Accept-Encoding: br, gzip;q=0, *\r\n",
        "Accept-Encoding: identity\r\n"}) {
    const HttpReply plain = Get("/assets/app-abc123.js", refused);
    EXPECT_EQ(plain.status, 200) << refused;
    EXPECT_EQ(Header(plain, "content-encoding"), "") << refused;
    EXPECT_EQ(Header(plain, "vary"), "Accept-Encoding") << refused;
    EXPECT_EQ(plain.body, console_.script) << refused;
    EXPECT_NE(Header(plain, "etag"), Header(gzip, "etag")) << refused;
  }
  // Not compressible: no Vary, no gzip even when accepted.
  const HttpReply png = Get("/assets/logo-9f8e7d.png", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(png.status, 200);
  EXPECT_EQ(Header(png, "content-type"), "image/png");
  EXPECT_EQ(Header(png, "vary"), "");
  EXPECT_EQ(png.body, std::string("\x89PNG\r\n\x1a\n", 8) + "pixels");
  // A symlink that stays inside the root is followed.
  EXPECT_EQ(Get("/assets/alias-abc123.js").body, console_.script);
}

// A missing asset is a 404 (never index.html as JavaScript), with the security headers.
TEST_F(ConsoleServingTest, MissingAssetIsNotFound) {
  for (std::string_view path : {"/assets/app-0000000.js", "/assets/", "/assets/escape-dir/"}) {
    const HttpReply reply = Get(path);
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_EQ(Header(reply, "content-type"), "application/problem+json") << path;
    EXPECT_EQ(reply.body.find("<!doctype"), std::string::npos) << path;
    ExpectSecurityHeaders(reply, std::string(path));
  }
}

// Only GET and HEAD: HEAD has GET's headers and no body; the connection stays usable.
TEST_F(ConsoleServingTest, HeadAndOtherMethods) {
  HttpClient client(port_);
  const auto head =
      client.Request("HEAD", "/assets/app-abc123.js", "", "", "", "Accept-Encoding: gzip\r\n");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(Header(*head, "content-length"), std::to_string(Gzip(console_.script).size()));
  EXPECT_EQ(Header(*head, "content-encoding"), "gzip");
  const auto after = client.Request("GET", "/login");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->body, kIndexHtml);

  for (std::string_view method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    for (std::string_view path : {"/", "/login", "/assets/app-abc123.js"}) {
      HttpClient other(port_);
      const auto reply =
          other.Request(method, path, method == "POST" ? "{}" : "", "", "application/json");
      ASSERT_TRUE(reply.has_value());
      EXPECT_EQ(reply->status, 405) << method << " " << path;
      EXPECT_EQ(Header(*reply, "allow"), "GET, HEAD") << method << " " << path;
      ExpectSecurityHeaders(*reply, std::string(method));
    }
  }
}

// A client holding the current ETag gets 304 without the body.
TEST_F(ConsoleServingTest, RevalidationAnswersNotModified) {
  const HttpReply first = Get("/");
  const std::string etag = Header(first, "etag");
  ASSERT_FALSE(etag.empty());
  const HttpReply again = Get("/login", "If-None-Match: \"other\", " + etag + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(Header(again, "etag"), etag);
  ExpectSecurityHeaders(again, "304");
  // A changed index.html has another ETag: served in full.
  WriteFile(console_.root + "/index.html", std::string(kIndexHtml) + "<!-- v2 -->\n");
  const HttpReply changed = Get("/", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(Header(changed, "etag"), etag);
}

// Nothing outside the root is served, however the path is spelled: 400 for refused paths, 404
// for symlinks that lead out and for hidden files; never the secret's bytes.
TEST_F(ConsoleServingTest, TraversalNeverLeavesTheRoot) {
  struct Case {
    std::string_view target;
    int status;
  };
  const std::vector<Case> cases = {
      {"/../secret.txt", 400},
      {"/assets/../../secret.txt", 400},
      {"/%2e%2e/secret.txt", 400},
      {"/%2E%2E/%2e%2e/secret.txt", 400},
      {"/assets/%2e%2e/%2e%2e/secret.txt", 400},
      {"/..%2fsecret.txt", 400},
      {"/%2e%2e%2fsecret.txt", 400},
      {"/assets%2f..%2f..%2fsecret.txt", 400},
      {"/..%5csecret.txt", 400},
      {"/..\\secret.txt", 400},
      {"/escape.txt%00", 400},
      {"/escape.txt", 404},                    // a symlink to a file outside
      {"/assets/escape-dir/secret.txt", 404},  // through a symlinked folder outside
      {"/assets/escape-dir/%2e%2e/secret.txt", 400},
  };
  for (const Case& c : cases) {
    const HttpReply reply = Get(c.target);
    EXPECT_EQ(reply.status, c.status) << c.target;
    EXPECT_EQ(reply.body.find(kSecret), std::string::npos) << c.target;
    ExpectSecurityHeaders(reply, std::string(c.target));
  }
  // Hidden files are as if missing: the fallback page, not the file.
  const HttpReply hidden = Get("/.env");
  EXPECT_EQ(hidden.body, kIndexHtml);
  EXPECT_EQ(hidden.body.find(kSecret), std::string::npos);
}

// What a ledgerd started with `flags` and `env` answers to GETs of `targets`, and what it
// printed; it must stop cleanly.
struct LedgerdAnswers {
  std::vector<HttpReply> replies;
  std::string output;
};
LedgerdAnswers AskLedgerd(std::vector<std::string> flags, std::vector<std::string> env,
                          const std::vector<std::string_view>& targets) {
  for (const char* flag : {"--listen", "127.0.0.1:0", "--log-requests", "off"}) {
    flags.emplace_back(flag);
  }
  testing::Ledgerd ledgerd(flags, std::move(env));
  LedgerdAnswers answers;
  const uint16_t port = ledgerd.Port();
  EXPECT_NE(port, 0);
  if (port == 0) return answers;
  HttpClient client(port);
  for (std::string_view target : targets) {
    answers.replies.push_back(client.Request("GET", target).value_or(HttpReply{}));
  }
  EXPECT_EQ(ledgerd.Stop(SIGTERM), 0);
  answers.output = ledgerd.RestOfOutput();
  return answers;
}

// ledgerd --web-root DIR serves the console in DIR.
TEST(LedgerdWebRootTest, FlagNamesTheRoot) {
  BuiltConsole console;
  const LedgerdAnswers answers = AskLedgerd(
      {"--data", console.dir.path() + "/data", "--web-root", console.root}, {}, {"/volunteer"});
  ASSERT_EQ(answers.replies.size(), 1u);
  EXPECT_EQ(answers.replies[0].status, 200);
  EXPECT_EQ(answers.replies[0].body, kIndexHtml);
  EXPECT_NE(answers.output.find("web console from " + console.root), std::string::npos);
}

// LEDGER_WEB_ROOT names it too; without index.html the pages say in Chinese how to build the
// console (not a JSON 404), and assets are 404s.
TEST(LedgerdWebRootTest, EnvironmentAndNotBuilt) {
  testing::TempDir dir;
  const LedgerdAnswers answers =
      AskLedgerd({"--data", dir.path() + "/data"}, {"LEDGER_WEB_ROOT=" + dir.path() + "/none"},
                 {"/", "/assets/app-abc123.js"});
  ASSERT_EQ(answers.replies.size(), 2u);
  const HttpReply& page = answers.replies[0];
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(Header(page, "content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("npm --prefix web run build"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("控制台尚未构建"), std::string::npos) << page.body;
  ExpectSecurityHeaders(page, "not built");
  EXPECT_EQ(answers.replies[1].status, 404);
  EXPECT_EQ(Header(answers.replies[1], "content-type"), "application/problem+json");
  EXPECT_NE(answers.output.find("no web console in " + dir.path() + "/none"), std::string::npos)
      << answers.output;
}

}  // namespace
}  // namespace ledger::api
