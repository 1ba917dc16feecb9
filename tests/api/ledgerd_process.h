// ledgerd as a child process for tests over real sockets: started with arguments and extra
// environment, its stdout read until it says where it listens, stopped by a signal.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::testing {

class Ledgerd {
 public:
  // Starts LEDGERD_PATH with `args`. The child does not inherit LEDGER_KAFKA_* variables (the
  // test broker's address among them): a test turns the relay on explicitly, with flags or
  // `env` ("NAME=value" entries). With `capture_stderr`, its stderr goes where its stdout goes
  // (RestOfOutput has both).
  explicit Ledgerd(std::vector<std::string> args, std::vector<std::string> env = {},
                   bool capture_stderr = false);
  // Kills the process (SIGKILL) if it still runs.
  ~Ledgerd();
  Ledgerd(const Ledgerd&) = delete;
  Ledgerd& operator=(const Ledgerd&) = delete;

  // The port from "listening on http://HOST:PORT" (or https://), or 0 when it exits first.
  uint16_t Port();
  // Everything it printed until it closed stdout.
  std::string RestOfOutput();
  // Sends `signal` and returns the exit status (-1 if it did not exit normally).
  int Stop(int signal);
  // Waits for the exit; the exit status, or -1 if it did not exit normally.
  int Wait();
  // Sends SIGKILL and waits: a crash. True when the signal killed it.
  bool Kill();

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  bool exited_ = false;
  std::string output_;
};

// ledgerd over `data` on a free loopback port, without request lines, with `admin_key`,
// relaying to (or, with "--replica" among `extra`, following) the topics `prefix`.* of
// `brokers`. Port() reads the child's output up to its "listening" line: call it once.
std::unique_ptr<Ledgerd> StartWithKafka(const std::string& data, const std::string& brokers,
                                        const std::string& prefix, std::string_view admin_key,
                                        std::vector<std::string> extra = {});

}  // namespace ledger::testing
