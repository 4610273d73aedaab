#include "support/process.hpp"

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace draft::testing {

child_process::child_process(const std::string& program,
                             const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env,
                             const std::string& log_file) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    auto key = entry.substr(0, entry.find('='));
    if (!env.count(key))
      env_strings.push_back(entry);
  }
  for (auto& [k, v] : env)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string program_copy = program;
  argv.push_back(program_copy.data());
  std::vector<std::string> args_copy = args;
  for (auto& a : args_copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(),
                       envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw std::runtime_error("cannot start " + program + ": "
                             + std::strerror(rc));
}

child_process::~child_process() {
  if (running()) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50 && running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (running())
      signal(SIGKILL);
  }
}

bool child_process::running() {
  if (reaped_)
    return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_)
    reaped_ = true;
  return !reaped_;
}

void child_process::signal(int sig) {
  if (reaped_)
    return;
  ::kill(pid_, sig);
  if (sig == SIGKILL || sig == SIGTERM) {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
  }
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string bin_dir() {
  return DRAFT_BIN_DIR;
}

int run_command(const std::string& command, std::string& output) {
  output.clear();
  auto* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return -1;
  char buf[4096];
  while (auto n = fread(buf, 1, sizeof buf, pipe))
    output.append(buf, n);
  auto status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace draft::testing
