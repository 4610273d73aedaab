#pragma once

// Internal to the JSON codecs: a type's field list (protocol/fields.hpp)
// read and written as the members of one JSON object.

#include <type_traits>

#include "protocol/fields.hpp"
#include "protocol/json_reader.hpp"
#include "protocol/json_writer.hpp"

namespace draft::json {

// Writes `v` as the member `name`, the way `f`'s kind says.
template <class T, class M>
void write_field(object_writer& o, const char* name,
                 const fields::field<T, M>& f, const M& v) {
  using fields::kind;
  if constexpr (std::is_same_v<M, std::string>) {
    if (f.how == kind::optional_text)
      o.optional_str(name, v);
    else
      o.str(name, v);
  } else if constexpr (std::is_same_v<M, bool>) {
    o.boolean(name, v);
  } else if constexpr (std::is_integral_v<M>) {
    if (f.how == kind::time)
      o.time(name, v);
    else
      o.num(name, v);
  } else {
    static_assert(!sizeof(M), "a member without a JSON kind is written by hand");
  }
}

template <class T, class M>
void read_field(object_reader& r, const fields::field<T, M>& f, M& v) {
  using fields::kind;
  if constexpr (std::is_same_v<M, std::string>) {
    auto max = static_cast<std::size_t>(f.max);
    switch (f.how) {
      case kind::uuid: r.uuid(f.name, v); break;
      case kind::duration: r.duration(f.name, v); break;
      case kind::optional_text: r.optional_string(f.name, v, max); break;
      default: r.string(f.name, v, max); break;
    }
  } else if constexpr (std::is_same_v<M, bool>) {
    r.optional_bool(f.name, v);
  } else if constexpr (std::is_same_v<M, std::int32_t>) {
    r.int32(f.name, v, static_cast<std::int32_t>(f.min),
            static_cast<std::int32_t>(f.max));
  } else if constexpr (std::is_same_v<M, std::int64_t>) {
    if (f.how == kind::time)
      r.time(f.name, v);
    else
      r.int64(f.name, v, f.min, f.max);
  } else {
    static_assert(!sizeof(M), "a member without a JSON kind is read by hand");
  }
}

/// Writes every field of `x` as a member of the object being written.
template <class T>
void write_fields(object_writer& o, const T& x) {
  for_each_field(x, [&](const auto& f, const auto& v) {
    write_field(o, f.name, f, v);
  });
}

/// The same in seed 003's payload format: only the fields it names, by its
/// names.
template <class T>
void write_seed_fields(object_writer& o, const T& x) {
  for_each_field(x, [&](const auto& f, const auto& v) {
    if (f.seed)
      write_field(o, f.seed, f, v);
  });
}

/// Reads every field of `x` from the object `r` reads; the first problem
/// is recorded in `r`.
template <class T>
void read_fields(object_reader& r, T& x) {
  for_each_field(x, [&](const auto& f, auto& v) { read_field(r, f, v); });
}

} // namespace draft::json
