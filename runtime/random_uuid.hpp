#pragma once

#include <string>

namespace draft {

/// A random (version 4) UUID in canonical lower-case form.
std::string random_uuid();

} // namespace draft
