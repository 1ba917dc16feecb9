#include "tests/api/ledgerd_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

extern char** environ;

namespace ledger::testing {

Ledgerd::Ledgerd(std::vector<std::string> args, std::vector<std::string> env, bool capture_stderr) {
  int out[2];
  if (::pipe(out) != 0) std::abort();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    if (capture_stderr) ::dup2(out[1], STDERR_FILENO);
    ::close(out[0]);
    std::vector<std::string> inherited;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      if (std::string_view(*entry).starts_with("LEDGER_KAFKA_")) {
        const std::string_view text = *entry;
        inherited.emplace_back(text.substr(0, text.find('=')));
      }
    }
    for (const std::string& name : inherited) ::unsetenv(name.c_str());
    for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv{const_cast<char*>(LEDGERD_PATH)};
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(LEDGERD_PATH, argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  stdout_ = ::fdopen(out[0], "r");
}

Ledgerd::~Ledgerd() {
  if (pid_ > 0 && !exited_) Kill();
  if (stdout_ != nullptr) std::fclose(stdout_);
}

uint16_t Ledgerd::Port() {
  char line[512];
  while (std::fgets(line, sizeof line, stdout_) != nullptr) {
    output_ += line;
    const std::string text(line);
    const size_t at = text.find("listening on http");  // http:// or https://
    if (at != std::string::npos) {
      return static_cast<uint16_t>(std::stoi(text.substr(text.rfind(':') + 1)));
    }
  }
  return 0;
}

std::string Ledgerd::RestOfOutput() {
  char line[512];
  while (std::fgets(line, sizeof line, stdout_) != nullptr) output_ += line;
  return output_;
}

int Ledgerd::Stop(int signal) {
  ::kill(pid_, signal);
  return Wait();
}

int Ledgerd::Wait() {
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exited_ = true;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool Ledgerd::Kill() {
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exited_ = true;
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

std::unique_ptr<Ledgerd> StartWithKafka(const std::string& data, const std::string& brokers,
                                        const std::string& prefix, std::string_view admin_key,
                                        std::vector<std::string> extra) {
  std::vector<std::string> args = {"--data",         data,  "--listen",        "127.0.0.1:0",
                                   "--log-requests", "off", "--kafka-brokers", brokers,
                                   "--kafka-prefix", prefix};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<Ledgerd>(
      std::move(args), std::vector<std::string>{"LEDGER_ADMIN_KEY=" + std::string(admin_key)});
}

}  // namespace ledger::testing
