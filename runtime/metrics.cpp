#include "runtime/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace draft {

namespace {

void add_to(std::atomic<double>& target, double delta) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + delta,
                                       std::memory_order_relaxed))
    ;
}

std::string escape_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_labels(const metric_labels& labels) {
  if (labels.empty())
    return {};
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0)
      out += ',';
    out += labels[i].first + "=\"" + escape_label_value(labels[i].second) + '"';
  }
  out += '}';
  return out;
}

// Adds one more label to an already rendered label set.
std::string with_label(const std::string& rendered, const std::string& name,
                       const std::string& value) {
  std::string extra = name + "=\"" + value + '"';
  if (rendered.empty())
    return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

std::string format_number(double v) {
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v))
    return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

bool valid_metric_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':')
      return false;
  return true;
}

} // namespace

void gauge::add(double delta) {
  add_to(value_, delta);
}

histogram::histogram(std::vector<double> upper_bounds)
  : bounds_(std::move(upper_bounds)),
    counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i)
    counts_[i].store(0);
}

void histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i])
    ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  add_to(sum_, value);
}

double histogram::estimate_quantile(double quantile) const {
  auto total = count();
  if (total == 0)
    return 0;
  double rank = quantile * static_cast<double>(total);
  double seen = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    double in_bucket = static_cast<double>(bucket_count(i));
    if (seen + in_bucket >= rank && in_bucket > 0) {
      if (i == bounds_.size())
        return bounds_.empty() ? 0 : bounds_.back();
      double lower = i == 0 ? 0 : bounds_[i - 1];
      return lower + (bounds_[i] - lower) * ((rank - seen) / in_bucket);
    }
    seen += in_bucket;
  }
  return bounds_.empty() ? 0 : bounds_.back();
}

std::vector<double> exponential_buckets(double start, double factor,
                                        int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i, start *= factor)
    out.push_back(start);
  return out;
}

metrics_registry::series&
metrics_registry::find_or_add(const std::string& name, const std::string& help,
                              kind type, const metric_labels& labels) {
  if (!valid_metric_name(name))
    throw std::invalid_argument("invalid metric name: " + name);
  auto& fam = families_[name];
  if (fam.members.empty()) {
    fam.type = type;
    fam.help = help;
  } else if (fam.type != type) {
    throw std::invalid_argument("metric " + name
                                + " registered with two different types");
  }
  auto rendered = render_labels(labels);
  auto& s = fam.members[rendered];
  s.labels = rendered;
  return s;
}

counter& metrics_registry::get_counter(const std::string& name,
                                       const std::string& help,
                                       const metric_labels& labels) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto& s = find_or_add(name, help, kind::counter, labels);
  if (!s.as_counter)
    s.as_counter = std::make_unique<counter>();
  return *s.as_counter;
}

gauge& metrics_registry::get_gauge(const std::string& name,
                                   const std::string& help,
                                   const metric_labels& labels) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto& s = find_or_add(name, help, kind::gauge, labels);
  if (!s.as_gauge)
    s.as_gauge = std::make_unique<gauge>();
  return *s.as_gauge;
}

histogram& metrics_registry::get_histogram(const std::string& name,
                                           const std::string& help,
                                           const std::vector<double>& bounds,
                                           const metric_labels& labels) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto& s = find_or_add(name, help, kind::histogram, labels);
  if (!s.as_histogram)
    s.as_histogram = std::make_unique<histogram>(bounds);
  return *s.as_histogram;
}

void metrics_registry::add_callback_gauge(const std::string& name,
                                          const std::string& help,
                                          std::function<double()> read,
                                          const metric_labels& labels) {
  std::lock_guard<std::mutex> guard(mutex_);
  find_or_add(name, help, kind::gauge, labels).callback = std::move(read);
}

std::string metrics_registry::render() const {
  static constexpr const char* type_names[] = {"counter", "gauge", "histogram"};
  std::lock_guard<std::mutex> guard(mutex_);
  std::string out;
  for (auto& [name, fam] : families_) {
    out += "# HELP " + name + " " + fam.help + "\n";
    out += "# TYPE " + name + " " + type_names[static_cast<int>(fam.type)]
           + "\n";
    for (auto& [labels, s] : fam.members) {
      if (s.as_counter) {
        out += name + labels + " " + std::to_string(s.as_counter->value())
               + "\n";
      } else if (s.as_gauge || s.callback) {
        double v = s.callback ? s.callback() : s.as_gauge->value();
        out += name + labels + " " + format_number(v) + "\n";
      } else if (s.as_histogram) {
        auto& h = *s.as_histogram;
        std::uint64_t cumulative = 0;
        for (size_t i = 0; i < h.upper_bounds().size(); ++i) {
          cumulative += h.bucket_count(i);
          out += name + "_bucket"
                 + with_label(labels, "le", format_number(h.upper_bounds()[i]))
                 + " " + std::to_string(cumulative) + "\n";
        }
        out += name + "_bucket" + with_label(labels, "le", "+Inf") + " "
               + std::to_string(h.count()) + "\n";
        out += name + "_sum" + labels + " " + format_number(h.sum()) + "\n";
        out += name + "_count" + labels + " " + std::to_string(h.count())
               + "\n";
      }
    }
  }
  return out;
}

metrics_registry& default_metrics() {
  static metrics_registry* registry = new metrics_registry;
  return *registry;
}

} // namespace draft
