#pragma once

#include <string>
#include <utility>
#include <variant>

namespace draft {

/// What went wrong, for a human: `where` names the field, key or part at fault
/// (e.g. `data.round`), `message` says what was expected instead.
struct problem {
  std::string where;
  std::string message;

  /// One line: "where: message" (or just the message without a place).
  std::string to_string() const {
    return where.empty() ? message : where + ": " + message;
  }
};

/// A value or the error that prevented it (a `problem` unless a module has a
/// richer error type). Errors are values here; nothing on these paths throws.
template <class T, class E = problem>
class result {
public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  result(E error) : state_(std::in_place_index<1>, std::move(error)) {}

  explicit operator bool() const { return state_.index() == 0; }
  bool ok() const { return state_.index() == 0; }

  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { return std::get<1>(state_); }

private:
  std::variant<T, E> state_;
};

} // namespace draft
