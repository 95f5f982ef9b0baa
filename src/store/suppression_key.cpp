#include "core/ascii.h"
#include "store/event_store.h"

namespace postern::store {

std::string suppression_key(std::string_view address) {
  // The last '@' splits: a quoted local part may hold one (RFC 5321 §4.1.2).
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return std::string(address);
  return std::string(address.substr(0, at + 1)) + ascii_lowered(address.substr(at + 1));
}

}  // namespace postern::store
