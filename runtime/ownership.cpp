#include "runtime/ownership.hpp"

namespace draft {

namespace {

std::uint64_t fnv1a(std::string_view a, std::string_view b) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
  };
  mix(a);
  h ^= 0xff; // a separator no id contains, so ("ab","c") != ("a","bc")
  h *= 0x100000001b3ULL;
  mix(b);
  return h;
}

// splitmix64's finalizer: spreads FNV's weak low bits.
std::uint64_t finalize(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

} // namespace

std::uint64_t rendezvous_weight(std::string_view draft_id,
                                std::string_view node_id) {
  return finalize(fnv1a(draft_id, node_id));
}

std::string owner_of(std::string_view draft_id,
                     const std::vector<std::string>& live_nodes) {
  const std::string* best = nullptr;
  std::uint64_t best_weight = 0;
  for (auto& node : live_nodes) {
    auto w = rendezvous_weight(draft_id, node);
    if (!best || w > best_weight || (w == best_weight && node < *best)) {
      best = &node;
      best_weight = w;
    }
  }
  return best ? *best : std::string();
}

} // namespace draft
