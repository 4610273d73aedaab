#include "actors/edge/admin_api.hpp"

namespace draft {

namespace {
#include "admin_page.inc"
} // namespace

const char* admin_page_html() {
  return admin_page_text;
}

} // namespace draft
