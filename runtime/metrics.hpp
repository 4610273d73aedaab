#pragma once

// A metrics registry rendered in the Prometheus text exposition format
// (version 0.0.4). Registration takes a lock; updates are lock-free atomics,
// safe on any thread and on the fan-out path.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace draft {

/// Label name/value pairs of one series, e.g. {{"publisher", "nats"}}.
using metric_labels = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing count.
class counter {
public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down.
class gauge {
public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double delta);
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0};
};

/// Counts observations into cumulative buckets with fixed upper bounds.
class histogram {
public:
  explicit histogram(std::vector<double> upper_bounds);

  void observe(double value);

  const std::vector<double>& upper_bounds() const { return bounds_; }
  /// Observations <= upper_bounds()[i] (non-cumulative per bucket; the last
  /// entry counts those above every bound).
  std::uint64_t bucket_count(size_t i) const { return counts_[i].load(); }
  std::uint64_t count() const { return count_.load(); }
  double sum() const { return sum_.load(); }

  /// The value below which `quantile` (0..1) of observations fall, estimated
  /// from the buckets by linear interpolation; 0 without observations.
  double estimate_quantile(double quantile) const;

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

/// Exponential bucket bounds: start, start*factor, … (`count` of them).
std::vector<double> exponential_buckets(double start, double factor, int count);

/// Owns every metric of a process and renders them for `GET /metrics`.
class metrics_registry {
public:
  /// The counter `name{labels}`, created on first use with `help`.
  counter& get_counter(const std::string& name, const std::string& help,
                       const metric_labels& labels = {});

  gauge& get_gauge(const std::string& name, const std::string& help,
                   const metric_labels& labels = {});

  histogram& get_histogram(const std::string& name, const std::string& help,
                           const std::vector<double>& upper_bounds,
                           const metric_labels& labels = {});

  /// A gauge computed at render time (e.g. process RSS). `read` runs on the
  /// rendering thread and must be thread-safe.
  void add_callback_gauge(const std::string& name, const std::string& help,
                          std::function<double()> read,
                          const metric_labels& labels = {});

  /// The whole registry in Prometheus text format.
  std::string render() const;

private:
  enum class kind { counter, gauge, histogram };

  struct series {
    std::string labels; // rendered: {a="b",c="d"} or empty
    std::unique_ptr<counter> as_counter;
    std::unique_ptr<gauge> as_gauge;
    std::unique_ptr<histogram> as_histogram;
    std::function<double()> callback;
  };

  struct family {
    kind type;
    std::string help;
    std::map<std::string, series> members;
  };

  series& find_or_add(const std::string& name, const std::string& help,
                      kind type, const metric_labels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, family> families_;
};

/// The process-wide registry that `/metrics` renders.
metrics_registry& default_metrics();

} // namespace draft
