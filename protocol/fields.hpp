#pragma once

// One field list per type. A type that declares
//
//   constexpr auto describe(const pick_made_payload*) {
//     using T = pick_made_payload;
//     return fields::make_record<T>("pick_made_payload",
//       fields::uuid("pick_id", &T::pick_id), ...);
//   }
//
// beside its definition gets equality (here), both JSON directions
// (json_fields.hpp: the JSON name, kind and bounds of each field come from
// the list) and, in the gateway, CAF's `inspect` (actors/gateway_types.hpp).
// Adding a field is one line in its list. A field's `.as("Name")` gives
// its name in seed 003's payload format, which the relay can publish
// instead (apps/outbox-relay/seed_payload.cpp). No CAF, no JSON library
// here.

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>

#include "protocol/time_format.hpp"

namespace draft {

namespace fields {

/// How a field reads and writes as JSON.
enum class kind : std::uint8_t {
  text,          ///< a string of at most `max` bytes
  optional_text, ///< the same, omitted when empty, absent reads as ""
  uuid,          ///< a UUID string
  duration,      ///< Go duration syntax, e.g. "1h2m3s"
  count,         ///< an int32 within [min, max]
  number,        ///< an int64 within [min, max]
  time,          ///< RFC 3339 text of a `timestamp`
  flag,          ///< a boolean; absent reads as false
  other,         ///< not JSON-mapped by the list (written by hand)
};

template <class T, class M>
struct field {
  const char* name;
  M T::*member;
  kind how;
  std::int64_t min = 0;
  std::int64_t max = 0;
  /// The field's name in seed 003's payload format (the relay's "seed"
  /// payloads), or null when that format leaves it out.
  const char* seed = nullptr;

  /// The same field, named `seed_name` in the seed's format.
  constexpr field as(const char* seed_name) const {
    auto named = *this;
    named.seed = seed_name;
    return named;
  }
};

template <class T, class... Fs>
struct record {
  const char* name;
  std::tuple<Fs...> list;
};

template <class T, class... Fs>
constexpr record<T, Fs...> make_record(const char* name, Fs... fs) {
  return {name, std::tuple<Fs...>{fs...}};
}

template <class T>
constexpr field<T, std::string> text(const char* n, std::string T::*m,
                                     std::int64_t max = 200) {
  return {n, m, kind::text, 0, max};
}
template <class T>
constexpr field<T, std::string> optional_text(const char* n, std::string T::*m,
                                              std::int64_t max = 200) {
  return {n, m, kind::optional_text, 0, max};
}
template <class T>
constexpr field<T, std::string> uuid(const char* n, std::string T::*m) {
  return {n, m, kind::uuid};
}
template <class T>
constexpr field<T, std::string> duration(const char* n, std::string T::*m) {
  return {n, m, kind::duration};
}
template <class T>
constexpr field<T, std::int32_t> count(const char* n, std::int32_t T::*m,
                                       std::int32_t min, std::int32_t max) {
  return {n, m, kind::count, min, max};
}
template <class T>
constexpr field<T, std::int64_t> number(const char* n, std::int64_t T::*m,
                                        std::int64_t min, std::int64_t max) {
  return {n, m, kind::number, min, max};
}
template <class T>
constexpr field<T, timestamp> time(const char* n, timestamp T::*m) {
  return {n, m, kind::time};
}
template <class T>
constexpr field<T, bool> flag(const char* n, bool T::*m) {
  return {n, m, kind::flag};
}
/// A member of any type: equality and `inspect` only.
template <class T, class M>
constexpr field<T, M> member(const char* n, M T::*m) {
  return {n, m, kind::other};
}

} // namespace fields

template <class T, class = void>
struct has_fields : std::false_type {};

template <class T>
struct has_fields<T, std::void_t<decltype(describe(static_cast<const T*>(nullptr)))>>
  : std::true_type {};

template <class T>
constexpr bool has_fields_v = has_fields<T>::value;

/// Calls `f(field, value)` for each field of `x`, in list order.
template <class T, class F>
void for_each_field(T& x, F&& f) {
  using plain = std::remove_const_t<T>;
  auto r = describe(static_cast<const plain*>(nullptr));
  std::apply([&](const auto&... d) { (f(d, x.*(d.member)), ...); }, r.list);
}

template <class T>
std::enable_if_t<has_fields_v<T>, bool> operator==(const T& a, const T& b) {
  auto r = describe(static_cast<const T*>(nullptr));
  return std::apply(
    [&](const auto&... d) { return ((a.*(d.member) == b.*(d.member)) && ...); },
    r.list);
}

template <class T>
std::enable_if_t<has_fields_v<T>, bool> operator!=(const T& a, const T& b) {
  return !(a == b);
}

} // namespace draft
