#pragma once

#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace draft::testing {

/// A child process started by a test, ended by its pid (SIGTERM, then
/// SIGKILL) when the object goes, if the test did not end it first.
class child_process {
public:
  /// Starts `program` (a path) with `args`; `env` is added to the test's own
  /// environment; stdout and stderr go to `log_file`.
  child_process(const std::string& program, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env,
                const std::string& log_file);
  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }

  /// Sends `signal`; with SIGKILL or SIGTERM also waits for the exit.
  void signal(int signal);

  /// True while the process has not exited.
  bool running();

private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

/// Runs a shell command to its end; returns its exit status (-1 if it did
/// not exit normally) and its stdout and stderr in `output`.
int run_command(const std::string& command, std::string& output);

/// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

/// Directory of the project's executables (build/bin).
std::string bin_dir();

} // namespace draft::testing
