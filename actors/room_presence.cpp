#include "actors/room_presence.hpp"

namespace draft {

void room_presence::join(const std::string& team) {
  if (team.empty())
    ++local_.viewers;
  else
    ++local_.teams[team];
}

void room_presence::leave(const std::string& team) {
  if (team.empty()) {
    if (local_.viewers > 0)
      --local_.viewers;
    return;
  }
  auto it = local_.teams.find(team);
  if (it != local_.teams.end() && --it->second <= 0)
    local_.teams.erase(it);
}

void room_presence::set_remote(const caf::actor_addr& from,
                               presence_counts counts) {
  // A report is kept only as far as a real room goes: at most
  // max_reported_teams teams with a positive count and team ids of a sane
  // length, so a misbehaving member costs the owner bounded memory.
  presence_counts kept;
  kept.viewers = counts.viewers > 0 ? counts.viewers : 0;
  for (auto& [team, n] : counts.teams) {
    if (kept.teams.size() >= max_reported_teams)
      break;
    if (n > 0 && !team.empty() && team.size() <= max_team_id_length)
      kept.teams.emplace(team, n);
  }
  remote_[from] = std::move(kept);
}

void room_presence::drop_remote(const caf::actor_addr& from) {
  remote_.erase(from);
}

presence_counts room_presence::total() const {
  auto sum = local_;
  for (const auto& [from, counts] : remote_) {
    sum.viewers += counts.viewers;
    for (const auto& [team, n] : counts.teams)
      if (n > 0)
        sum.teams[team] += n;
  }
  return sum;
}

} // namespace draft
