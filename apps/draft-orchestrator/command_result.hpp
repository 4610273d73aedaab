#pragma once

// What an orchestrator command answers, in the domain's terms: a document
// (the JSON the API sends; `created` when the command made something new)
// or a refusal saying why nothing changed. orchestrator_api maps both to
// HTTP; the commands know nothing of it.

#include <string>

#include "protocol/result.hpp"

namespace draft {

/// Why a command changed nothing.
enum class refusal {
  invalid,       ///< the request is malformed or out of range
  forbidden,     ///< the token may not do this to this draft
  not_found,     ///< no such draft, team, player or pick
  conflict,      ///< the draft's state does not allow it now (or a race)
  unprocessable, ///< well-formed, but not applicable (e.g. a player not in the pool)
  unavailable,   ///< the database is unreachable, or a commit is in doubt
  failed,        ///< the database or the command failed unexpectedly
};

/// A refusal with its machine-readable code and a message for people.
/// Thrown inside a command's transaction to roll it back.
struct command_error {
  refusal kind;
  std::string code;
  std::string message;
};

/// A command's answer: the JSON document, and whether it created something.
struct answer {
  bool created = false;
  std::string json;
};

using command_result = result<answer, command_error>;

} // namespace draft
