#include "process_stats.hpp"

#include <ctime>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <sys/resource.h>

namespace draft::load {

// -- /proc sampling -----------------------------------------------------------

long clock_ticks() {
  return sysconf(_SC_CLK_TCK);
}

// utime+stime of `pid` (or only its utime when `user_only`), and of its
// direct children when `tree`.
long long process_ticks(int pid, bool tree, bool user_only) {
  if (pid <= 0)
    return -1;
  long long total = 0;
  auto read_stat = [user_only](const std::string& path, int& parent) -> long long {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto close = text.rfind(')');
    if (close == std::string::npos)
      return -1;
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    std::vector<std::string> v;
    while (fields >> f)
      v.push_back(f);
    if (v.size() < 13)
      return -1;
    parent = std::stoi(v[1]);
    return std::stoll(v[11]) + (user_only ? 0 : std::stoll(v[12]));
  };
  int parent = 0;
  total = read_stat("/proc/" + std::to_string(pid) + "/stat", parent);
  if (!tree || total < 0)
    return total;
  if (auto dir = opendir("/proc")) {
    while (auto entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
        continue;
      int p = 0;
      auto t = read_stat("/proc/" + name + "/stat", p);
      if (t >= 0 && p == pid)
        total += t;
    }
    closedir(dir);
  }
  return total;
}

long long status_bytes(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0)
      return std::stoll(line.substr(key.size() + 1)) * 1024;
  return -1;
}

std::pair<long long, long long> machine_ticks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  long long v, total = 0, idle = 0;
  for (int i = 0; in >> v && i < 10; ++i) {
    total += v;
    if (i == 3 || i == 4)
      idle += v;
  }
  return {total - idle, total};
}

double own_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
         + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}


} // namespace draft::load
