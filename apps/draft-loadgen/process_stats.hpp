#pragma once

// The CPU and memory figures draft-loadgen reports, from /proc: the server's,
// the database's (a process tree), its own and the whole machine's.

#include <string>
#include <utility>

namespace draft::load {

long clock_ticks();
long long process_ticks(int pid, bool tree, bool user_only = false);
long long status_bytes(int pid, const std::string& key);
std::pair<long long, long long> machine_ticks();
double own_cpu_seconds();

} // namespace draft::load
