#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace draft {

/// A few PostgreSQL connections shared by the request threads. A connection
/// that broke is dropped instead of returned, and replaced on demand.
class connection_pool {
public:
  explicit connection_pool(std::string url) : url_(std::move(url)) {}

  /// A connection for the lifetime of the lease.
  class lease {
  public:
    lease(connection_pool& pool, std::unique_ptr<pqxx::connection> c)
      : pool_(pool), connection_(std::move(c)) {}
    ~lease() {
      if (connection_ && connection_->is_open())
        pool_.give_back(std::move(connection_));
    }
    pqxx::connection& operator*() { return *connection_; }
    pqxx::connection* operator->() { return connection_.get(); }

  private:
    connection_pool& pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  /// Takes an idle connection or opens one (throws pqxx::broken_connection
  /// if the database is unreachable).
  lease acquire() {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return lease(*this, std::move(c));
      }
    }
    return lease(*this, std::make_unique<pqxx::connection>(url_));
  }

private:
  void give_back(std::unique_ptr<pqxx::connection> c) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (idle_.size() < 16)
      idle_.push_back(std::move(c));
  }

  std::string url_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
};

} // namespace draft
