// Runs a program to its end for a test, with extra environment, its stderr kept: what a user
// sees when ledgerd refuses to start. A child still running after `timeout` is killed (a start
// that should have been refused), so the test ends either way and leaves no process behind.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ledger::testing {

struct ChildResult {
  int exit_status = -1;  // -1: killed after the timeout, or did not exit normally
  std::string stderr_text;
};

inline ChildResult RunChild(const std::string& program, std::vector<std::string> args,
                            const std::vector<std::string>& env, const std::string& stderr_path,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int null = ::open("/dev/null", O_WRONLY);
    if (err < 0 || null < 0) ::_exit(126);
    ::dup2(err, STDERR_FILENO);
    ::dup2(null, STDOUT_FILENO);
    for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ChildResult result;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a child's exit
  }
  if (status != -1 && WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  std::ifstream in(stderr_path);
  std::stringstream text;
  text << in.rdbuf();
  result.stderr_text = text.str();
  return result;
}

}  // namespace ledger::testing
