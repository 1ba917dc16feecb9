// ledgerd: the Zhaiyi Ledger server. Opens the ledger in --data DIR (embedded RocksDB; nothing
// else to run) and serves the REST API of ../shared/API.md until SIGINT or SIGTERM, then stops
// accepting, answers the requests in progress (every acknowledged append is durable) and closes.
// With --kafka-brokers it also relays the log to Apache Kafka (docs/kafka.md).
//
// Exit status: 0 after a clean shutdown, 1 when the ledger cannot start, 2 on bad usage.
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>  // environ

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_node.h"
#include "api/demo_ledger.h"
#include "api/server.h"

namespace ledger {
namespace {

constexpr const char* kUsage =
    "usage: ledgerd [options]\n"
    "\n"
    "Serves the Zhaiyi Ledger REST API (GET /openapi.json describes it). Every option can also\n"
    "be given by the environment variable in brackets; a flag wins over the variable.\n"
    "\n"
    "  --data DIR             the ledger's data directory [LEDGER_DATA] (./var/data)\n"
    "  --listen HOST:PORT     where to listen [LEDGER_LISTEN] (127.0.0.1:8080; port 0: any)\n"
    "  --threads N            I/O threads [LEDGER_THREADS] (2)\n"
    "  --body-limit BYTES     largest request body [LEDGER_BODY_LIMIT] (1048576)\n"
    "  --header-limit BYTES   largest request header [LEDGER_HEADER_LIMIT] (16384)\n"
    "  --read-timeout-ms MS   deadline to read a request, and idle keep-alive\n"
    "                         [LEDGER_READ_TIMEOUT_MS] (15000)\n"
    "  --connections-max N    open connections at most [LEDGER_CONNECTIONS_MAX] (4096)\n"
    "  --connections-per-client N\n"
    "                         open connections from one client address at most\n"
    "                         [LEDGER_CONNECTIONS_PER_CLIENT] (256; behind a proxy: per proxy)\n"
    "  --wait-max-ms MS       longest min_position wait [LEDGER_WAIT_MAX_MS] (5000)\n"
    "  --log-requests on|off  one log line per request [LEDGER_LOG_REQUESTS] (on)\n"
    "  --tls-cert FILE        serve HTTPS (TLS 1.2+) with this PEM certificate chain; needs\n"
    "                         --tls-key [LEDGER_TLS_CERT] (off: plain HTTP; docs/deploy.md)\n"
    "  --tls-key FILE         the certificate's PEM private key [LEDGER_TLS_KEY]\n"
    "  --demo                 on an empty ledger, load the demo ledger first [LEDGER_DEMO=1]\n"
    "  --replica              serve a read replica built from the primary's events topic\n"
    "                         (needs --kafka-brokers; writes answer 409) [LEDGER_REPLICA=1]\n"
    "  --primary URL          the primary, named in a replica's 409 answers [LEDGER_PRIMARY]\n"
    "  --signing-key PATH     the ledger's Ed25519 key (PEM), created there if missing\n"
    "                         [LEDGER_SIGNING_KEY] (DIR/signing.key)\n"
    "  --personal-key PATH    the personal vault's master key (32 bytes), created there if\n"
    "                         missing [LEDGER_PERSONAL_KEY] (DIR/personal.key; docs/privacy.md)\n"
    "  --checkpoint-interval N\n"
    "                         sign a checkpoint every N events (and at every monthly seal)\n"
    "                         [LEDGER_CHECKPOINT_INTERVAL] (10000)\n"
    "  --access-log-entries N keep the newest N entries of the access log (who read whose\n"
    "                         personal data; DIR/access-log, apart from the ledger)\n"
    "                         [LEDGER_ACCESS_LOG_ENTRIES] (100000)\n"
    "  --web-root DIR         the web console's built files, served at / without a key\n"
    "                         [LEDGER_WEB_ROOT] (web/dist: where `npm --prefix web run build`\n"
    "                         writes them, so ledgerd started in the checkout serves the\n"
    "                         console it built; relative to the working directory. Without\n"
    "                         its index.html the console's pages say how to build it)\n"
    "  --help                 this text\n"
    "\n"
    "Kafka relay (docs/kafka.md), on only when --kafka-brokers is given:\n"
    "  --kafka-brokers HOST:PORT[,HOST:PORT...]\n"
    "                         bootstrap brokers [LEDGER_KAFKA_BROKERS]\n"
    "  --kafka-prefix P       topics P.events and P.donations [LEDGER_KAFKA_PREFIX] (zhaiyi)\n"
    "  --kafka-config KEY=VALUE\n"
    "                         a librdkafka property, e.g. security.protocol=SASL_SSL; repeat\n"
    "                         for more. Also every variable LEDGER_KAFKA_CONFIG or\n"
    "                         LEDGER_KAFKA_CONFIG_<anything> holds one KEY=VALUE (applied\n"
    "                         first, in name order): keep passwords there, not in argv\n"
    "  --kafka-partitions N   partitions of the topics the relay creates\n"
    "                         [LEDGER_KAFKA_PARTITIONS] (1)\n"
    "  --kafka-replication-factor N\n"
    "                         replicas of topics the relay creates\n"
    "                         [LEDGER_KAFKA_REPLICATION_FACTOR] (1; 3 on a production cluster)\n"
    "  --kafka-create-topics on|off\n"
    "                         create missing topics, or only wait for them to exist\n"
    "                         [LEDGER_KAFKA_CREATE_TOPICS] (on)\n"
    "\n"
    "The admin key is LEDGER_ADMIN_KEY if set, else the contents of DIR/admin.key, created on\n"
    "first start (mode 0600). It must have at least 32 characters and an estimated 128 bits of\n"
    "entropy (length times the Shannon entropy of its character frequencies), e.g.\n"
    "`openssl rand -hex 32`; ledgerd refuses to start with a weaker one. The ledger's signing\n"
    "key is DIR/signing.key unless --signing-key says otherwise.\n"
    "\n"
    "Everything ledgerd creates is its user's alone (umask 077): DIR is mode 0700 (an existing\n"
    "DIR open to others is narrowed to 0700), its files 0600. Personal data is sealed apart "
    "(docs/privacy.md).\n";

struct Flag {
  const char* name;
  const char* env;
  const char* fallback;
  bool takes_value = true;
  // Given any number of times; the values are collected in order (environment first).
  bool repeatable = false;
};

constexpr Flag kFlags[] = {
    {"data", "LEDGER_DATA", "./var/data"},
    {"listen", "LEDGER_LISTEN", "127.0.0.1:8080"},
    {"threads", "LEDGER_THREADS", "2"},
    {"body-limit", "LEDGER_BODY_LIMIT", "1048576"},
    {"header-limit", "LEDGER_HEADER_LIMIT", "16384"},
    {"read-timeout-ms", "LEDGER_READ_TIMEOUT_MS", "15000"},
    {"connections-max", "LEDGER_CONNECTIONS_MAX", "4096"},
    {"connections-per-client", "LEDGER_CONNECTIONS_PER_CLIENT", "256"},
    {"wait-max-ms", "LEDGER_WAIT_MAX_MS", "5000"},
    {"log-requests", "LEDGER_LOG_REQUESTS", "on"},
    {"tls-cert", "LEDGER_TLS_CERT", ""},
    {"tls-key", "LEDGER_TLS_KEY", ""},
    {"demo", "LEDGER_DEMO", "0", false},
    {"signing-key", "LEDGER_SIGNING_KEY", ""},
    {"personal-key", "LEDGER_PERSONAL_KEY", ""},
    {"replica", "LEDGER_REPLICA", "0", false},
    {"primary", "LEDGER_PRIMARY", ""},
    {"checkpoint-interval", "LEDGER_CHECKPOINT_INTERVAL", "10000"},
    {"access-log-entries", "LEDGER_ACCESS_LOG_ENTRIES", "100000"},
    {"web-root", "LEDGER_WEB_ROOT", "web/dist"},
    {"help", nullptr, "0", false},
    {"kafka-brokers", "LEDGER_KAFKA_BROKERS", ""},
    {"kafka-prefix", "LEDGER_KAFKA_PREFIX", "zhaiyi"},
    {"kafka-config", "LEDGER_KAFKA_CONFIG", "", true, true},
    {"kafka-partitions", "LEDGER_KAFKA_PARTITIONS", "1"},
    {"kafka-replication-factor", "LEDGER_KAFKA_REPLICATION_FACTOR", "1"},
    {"kafka-create-topics", "LEDGER_KAFKA_CREATE_TOPICS", "on"},
};

// Makes `dir` (and missing parents) with mode 0700, or narrows an existing `dir` that its group
// or others may use to 0700. Returns an error message, or "".
std::string PrivateDataDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(dir, error);  // 0700 under umask 077
  if (error) return "cannot create " + dir + ": " + error.message();
  const fs::perms perms = fs::status(dir, error).permissions();
  if (error) return "cannot stat " + dir + ": " + error.message();
  if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, error);
    if (error) return "cannot make " + dir + " private (mode 0700): " + error.message();
    spdlog::warn("{} was open to other users; its mode is now 0700", dir);
  }
  return "";
}

int Usage(const std::string& error) {
  std::fprintf(stderr, "ledgerd: %s\n\n%s", error.c_str(), kUsage);
  return 2;
}

// The values of a repeatable flag's variables: `env` itself and every `env`_<anything>, in name
// order.
std::vector<std::string> RepeatableFromEnvironment(std::string_view env) {
  std::map<std::string, std::string> found;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    const size_t equals = text.find('=');
    if (equals == std::string_view::npos || equals + 1 == text.size()) continue;
    const std::string_view name = text.substr(0, equals);
    if (name == env || (name.starts_with(env) && name[env.size()] == '_')) {
      found[std::string(name)] = std::string(text.substr(equals + 1));
    }
  }
  std::vector<std::string> values;
  values.reserve(found.size());
  for (auto& [name, value] : found) values.push_back(std::move(value));
  return values;
}

// The options: flags, then environment, then defaults. Repeatable flags go to `lists`, the
// environment's values first. Returns an error message on bad usage.
std::string ParseFlags(int argc, char** argv, std::map<std::string, std::string>& values,
                       std::map<std::string, std::vector<std::string>>& lists) {
  for (const Flag& flag : kFlags) {
    if (flag.repeatable) {
      lists[flag.name] = RepeatableFromEnvironment(flag.env);
      continue;
    }
    const char* env = flag.env != nullptr ? std::getenv(flag.env) : nullptr;
    values[flag.name] = env != nullptr && env[0] != '\0' ? env : flag.fallback;
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--")) return "unexpected argument '" + std::string(arg) + "'";
    arg.remove_prefix(2);
    std::string value;
    const size_t equals = arg.find('=');
    if (equals != std::string_view::npos) {
      value = std::string(arg.substr(equals + 1));
      arg = arg.substr(0, equals);
    }
    const Flag* flag = nullptr;
    for (const Flag& candidate : kFlags) {
      if (arg == candidate.name) flag = &candidate;
    }
    if (flag == nullptr) return "unknown option --" + std::string(arg);
    if (!flag->takes_value) {
      values[flag->name] = "1";
      continue;
    }
    if (equals == std::string_view::npos) {
      if (i + 1 >= argc) return "--" + std::string(arg) + " needs a value";
      value = argv[++i];
    }
    if (flag->repeatable) {
      lists[flag->name].push_back(std::move(value));
    } else {
      values[flag->name] = value;
    }
  }
  return "";
}

bool ParseCount(const std::string& text, long long min, long long max, long long* out) {
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < min || value > max) return false;
  *out = value;
  return true;
}

// The relay's options from the --kafka-* flags, or nullopt when --kafka-brokers is not given.
// Returns an error message on bad usage.
std::string ParseKafkaFlags(std::map<std::string, std::string>& values,
                            const std::vector<std::string>& settings,
                            std::optional<KafkaRelayOptions>* relay) {
  if (values["kafka-brokers"].empty()) return "";
  KafkaRelayOptions options;
  options.client.brokers = values["kafka-brokers"];
  options.topic_prefix = values["kafka-prefix"];
  for (const std::string& setting : settings) {
    auto parsed = ParseKafkaSetting(setting);
    if (!parsed.ok()) return "bad --kafka-config: " + parsed.status().message();
    options.client.config.push_back(std::move(parsed).value());
  }
  long long partitions = 0, replication = 0;
  if (!ParseCount(values["kafka-partitions"], 1, 100'000, &partitions)) {
    return "bad --kafka-partitions";
  }
  if (!ParseCount(values["kafka-replication-factor"], 1, 32'767, &replication)) {
    return "bad --kafka-replication-factor";
  }
  if (values["kafka-create-topics"] != "on" && values["kafka-create-topics"] != "off") {
    return "--kafka-create-topics wants on or off";
  }
  options.topic_partitions = static_cast<int32_t>(partitions);
  options.topic_replication_factor = static_cast<int16_t>(replication);
  options.create_topics = values["kafka-create-topics"] == "on";
  *relay = std::move(options);
  return "";
}

int Run(int argc, char** argv) {
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::string>> lists;
  if (std::string error = ParseFlags(argc, argv, values, lists); !error.empty()) {
    return Usage(error);
  }
  if (values["help"] == "1") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  api::ServerOptions server;
  api::HandlerOptions handler;
  const std::string& listen = values["listen"];
  const size_t colon = listen.rfind(':');
  long long port = 0, threads = 0, body = 0, header = 0, timeout = 0, connections = 0, wait = 0;
  long long connections_per_client = 0;
  if (colon == std::string::npos || !ParseCount(listen.substr(colon + 1), 0, 65535, &port)) {
    return Usage("--listen wants HOST:PORT, got '" + listen + "'");
  }
  if (!ParseCount(values["threads"], 1, 256, &threads)) return Usage("bad --threads");
  if (!ParseCount(values["body-limit"], 1024, 1LL << 30, &body)) return Usage("bad --body-limit");
  if (!ParseCount(values["header-limit"], 1024, 1 << 20, &header)) {
    return Usage("bad --header-limit");
  }
  if (!ParseCount(values["read-timeout-ms"], 10, 3'600'000, &timeout)) {
    return Usage("bad --read-timeout-ms");
  }
  if (!ParseCount(values["connections-max"], 1, 1'000'000, &connections)) {
    return Usage("bad --connections-max");
  }
  if (!ParseCount(values["connections-per-client"], 1, 1'000'000, &connections_per_client)) {
    return Usage("bad --connections-per-client");
  }
  if (!ParseCount(values["wait-max-ms"], 0, 60'000, &wait)) return Usage("bad --wait-max-ms");
  if (values["log-requests"] != "on" && values["log-requests"] != "off") {
    return Usage("--log-requests wants on or off");
  }
  server.address = listen.substr(0, colon);
  server.port = static_cast<uint16_t>(port);
  server.io_threads = static_cast<int>(threads);
  server.request_body_bytes_max = static_cast<size_t>(body);
  server.request_header_bytes_max = static_cast<size_t>(header);
  server.read_timeout = std::chrono::milliseconds(timeout);
  server.connections_max = static_cast<size_t>(connections);
  server.connections_per_client_max = static_cast<size_t>(connections_per_client);
  server.log_requests = values["log-requests"] == "on";
  if (values["tls-cert"].empty() != values["tls-key"].empty()) {
    return Usage("--tls-cert and --tls-key go together");
  }
  if (!values["tls-cert"].empty()) {
    server.tls = api::TlsOptions{values["tls-cert"], values["tls-key"]};
    handler.secure_cookies = true;  // session cookies only over HTTPS
  }
  if (values["web-root"].empty()) return Usage("--web-root wants a directory");
  {
    // Absolute, so that what is served does not depend on the working directory later on.
    std::error_code error;
    const std::filesystem::path web_root = std::filesystem::absolute(values["web-root"], error);
    if (error) return Usage("bad --web-root: " + error.message());
    handler.web_root = web_root.lexically_normal().string();
  }
  handler.request_body_bytes_max = static_cast<size_t>(body);
  handler.min_position_wait_max = std::chrono::milliseconds(wait);
  std::optional<KafkaRelayOptions> relay;
  if (std::string error = ParseKafkaFlags(values, lists["kafka-config"], &relay); !error.empty()) {
    return Usage(error);
  }

  // SIGINT and SIGTERM are taken by sigwait below: block them before any thread starts, so
  // every thread inherits the mask and none is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::string& data = values["data"];
  if (std::string error = PrivateDataDir(data); !error.empty()) {
    std::fprintf(stderr, "ledgerd: %s\n", error.c_str());
    return 1;
  }
  auto admin = api::LoadOrCreateAdminKey(data, std::getenv("LEDGER_ADMIN_KEY"));
  if (!admin.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", admin.status().ToString().c_str());
    return 1;
  }
  api::ApiNodeOptions options;
  options.data_dir = data;
  options.admin_key = admin->key;
  options.signing_key_path = values["signing-key"];
  options.personal_key_path = values["personal-key"];
  long long checkpoint_interval = 0;
  if (!ParseCount(values["checkpoint-interval"], 1, 1'000'000'000, &checkpoint_interval)) {
    return Usage("bad --checkpoint-interval");
  }
  options.ledger.checkpoints.interval_events = static_cast<uint64_t>(checkpoint_interval);
  long long access_log_entries = 0;
  if (!ParseCount(values["access-log-entries"], 1, 1'000'000'000, &access_log_entries)) {
    return Usage("bad --access-log-entries");
  }
  options.access_log.entries_max = static_cast<uint64_t>(access_log_entries);
  options.handler = handler;
  options.kafka_relay = relay;
  if (values["replica"] == "1") {
    if (!relay) return Usage("--replica needs --kafka-brokers (the primary's broker)");
    KafkaReplicatorOptions replica;
    replica.client = relay->client;
    replica.topic_prefix = relay->topic_prefix;
    options.replica = std::move(replica);
    options.primary_url = values["primary"];
  }
  const auto open_start = std::chrono::steady_clock::now();
  auto node = api::ApiNode::Open(std::move(options));
  if (!node.ok()) {
    std::fprintf(stderr, "ledgerd: cannot open %s: %s\n", data.c_str(),
                 node.status().ToString().c_str());
    return 1;
  }
  {
    const LedgerNodeStartup& startup = (*node)->ledger().startup();
    spdlog::info(
        "opened in {:.2f} s: store {:.2f} s, ledger rows {:.2f} s, their copy for the writer "
        "{:.2f} s, both states' indexes {:.2f} s, log tail of {} events {:.2f} s",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - open_start).count(),
        startup.open_store, startup.load_rows, startup.copy_state, startup.derive_indexes,
        startup.tail_events, startup.replay_tail);
  }
  if (values["demo"] == "1") {
    if ((*node)->ledger().store().GetHead().next.value == 0) {
      auto demo = api::LoadDemoLedger((*node)->handler(), admin->key);
      if (!demo.ok()) {
        std::fprintf(stderr, "ledgerd: %s\n", demo.status().ToString().c_str());
        return 1;
      }
      // Serve the demo only once the projections show it.
      LedgerNode& ledger = (*node)->ledger();
      if (!ledger.projector().WaitForApplied(ledger.store().GetHead().next,
                                             std::chrono::seconds(30))) {
        std::fprintf(stderr, "ledgerd: the projections did not catch up with the demo\n");
        return 1;
      }
      spdlog::info("loaded the demo ledger: {} events", demo->events);
    } else {
      spdlog::info("--demo: the ledger is not empty; leaving it as it is");
    }
  }
  auto started = api::Server::Start((*node)->handler(), server);
  if (!started.ok()) {
    std::fprintf(stderr, "ledgerd: %s\n", started.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<api::Server> running = std::move(started).value();
  std::printf("ledgerd: listening on %s://%s:%u (data %s)\n", running->tls() ? "https" : "http",
              server.address.c_str(), running->port(), data.c_str());
  if (std::filesystem::is_regular_file(handler.web_root + "/index.html")) {
    std::printf("ledgerd: web console from %s\n", handler.web_root.c_str());
  } else {
    std::printf("ledgerd: no web console in %s (build it: npm --prefix web run build)\n",
                handler.web_root.c_str());
  }
  if (relay) {
    std::printf("ledgerd: relaying to Kafka at %s (topics %s, %s)\n", relay->client.brokers.c_str(),
                KafkaRelay::EventsTopic(relay->topic_prefix).c_str(),
                KafkaRelay::DonationsTopic(relay->topic_prefix).c_str());
  }
  if (admin->path.empty()) {
    std::printf("ledgerd: admin key from LEDGER_ADMIN_KEY\n");
  } else {
    std::printf("ledgerd: admin key in %s%s\n", admin->path.c_str(),
                admin->created ? " (created now)" : "");
  }
  std::fflush(stdout);

  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("{}: stopping: no new connections, finishing requests in progress",
               signal == SIGINT ? "SIGINT" : "SIGTERM");
  running->Shutdown();
  running.reset();
  node->reset();  // commits and acknowledges every queued append, then closes the store
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace
}  // namespace ledger

int main(int argc, char** argv) {
  // The data directory holds names and phone numbers in plain text (the log, the read model):
  // nothing ledgerd creates is for other users. The directory itself is made 0700 in Run.
  ::umask(077);
  return ledger::Run(argc, argv);
}
