#include "http/router.h"

namespace postern::http {

std::string_view PathParams::get(std::string_view name) const {
  for (const auto& [k, v] : values) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace postern::http
