#pragma once

// W3C Trace Context (https://www.w3.org/TR/trace-context/) for the path of an
// event: the orchestrator takes a request's `traceparent` header (or starts a
// trace), stores it on each outbox row it writes, the relay sends it as a
// `traceparent` header on every broker message, and the gateway logs it.
//
// The correlation of a log line: `correlation_scope` sets, for the current
// thread, the trace id and the request or event id every log line of that
// thread then carries (a synchronous request handler or one event's
// processing; actors open a scope inside a handler, never across one).

#include <optional>
#include <string>
#include <string_view>

namespace draft {

/// One hop of a trace: `00-<trace_id>-<span_id>-<flags>`.
struct trace_context {
  std::string trace_id; ///< 32 lower-case hex digits, not all zero
  std::string span_id;  ///< 16 lower-case hex digits, not all zero
  std::string flags = "01";

  /// The `traceparent` header value.
  std::string header() const;
};

/// Parses a `traceparent` header; nothing for a malformed one (which W3C
/// says to ignore: a new trace starts). Any version but `ff` is read by
/// version 00's rules; upper-case hex is refused, as the spec says.
std::optional<trace_context> parse_traceparent(std::string_view header);

/// A new span: in `parent`'s trace when given, else in a new trace.
trace_context child_span(const std::optional<trace_context>& parent);

/// `bytes` random bytes as lower-case hex (not all zero).
std::string random_hex(int bytes);

/// Sets the thread's correlation (trace id, request or event id) for its
/// lifetime; scopes nest, the inner one wins, the outer one comes back.
class correlation_scope {
public:
  /// `traceparent` may be empty; `id_key` names the id ("request_id",
  /// "event_id").
  correlation_scope(std::string traceparent, std::string id_key,
                    std::string id);
  ~correlation_scope();
  correlation_scope(const correlation_scope&) = delete;
  correlation_scope& operator=(const correlation_scope&) = delete;

private:
  std::string traceparent_, id_key_, id_;
  const correlation_scope* outer_;
  friend std::string current_traceparent();
  friend void append_correlation(std::string& line);
};

/// The current thread's `traceparent` ("" outside any scope).
std::string current_traceparent();

/// Appends `,"trace_id":…,"<id_key>":…` for the current scope (logger).
void append_correlation(std::string& line);

} // namespace draft
