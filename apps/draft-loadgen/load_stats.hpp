#pragma once

// What the load generator measures, kept per client thread and summed.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace draft::load {

/// Latency histogram: 10 µs buckets below 1 s, then 1 ms buckets to 120 s —
/// the same resolution as the peer baseline's client.
class latency_histogram {
public:
  static constexpr int fine = 100'000;
  static constexpr int buckets = fine + 119'000;

  latency_histogram() : counts_(buckets, 0) {}

  void add(double ms) {
    int i = ms < 1000 ? std::max(0, static_cast<int>(ms * 100))
                      : std::min(fine + static_cast<int>(ms) - 1000, buckets - 1);
    ++counts_[static_cast<size_t>(i)];
    ++total_;
    max_ = std::max(max_, ms);
  }

  void merge(const latency_histogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i)
      counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
  }

  /// Upper edge of the bucket holding quantile `q` (ms); -1 when empty.
  double quantile(double q) const {
    if (total_ == 0)
      return -1;
    std::uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i)
      if ((seen += counts_[i]) >= q * static_cast<double>(total_))
        return i < static_cast<size_t>(fine) ? static_cast<double>(i + 1) / 100
                                             : static_cast<double>(i) - fine + 1001;
    return max_;
  }

  double max() const { return max_; }
  std::uint64_t total() const { return total_; }

private:
  std::vector<std::uint32_t> counts_;
  std::uint64_t total_ = 0;
  double max_ = 0;
};

struct load_stats {
  std::uint64_t deliveries = 0;
  std::uint64_t delivered_bytes = 0; ///< message payload bytes of the deliveries
  std::uint64_t in_window = 0;
  std::uint64_t gaps = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t other = 0;
  std::uint64_t disconnects = 0;
  std::uint64_t reconnects = 0; ///< resumed on the next node after a drop
  double last_receive_ms = 0; ///< wall clock
  latency_histogram latency;
  latency_histogram local_latency;  ///< clients on their draft's owner node
  latency_histogram remote_latency; ///< clients one cluster hop away
};

} // namespace draft::load
