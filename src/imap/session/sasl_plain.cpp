#include "imap/session/sasl_plain.h"

namespace postern::imap {

std::optional<PlainCredentials> parse_sasl_plain(std::string_view message) {
  auto nul1 = message.find('\0');
  if (nul1 == std::string_view::npos) return std::nullopt;
  auto nul2 = message.find('\0', nul1 + 1);
  if (nul2 == std::string_view::npos || message.find('\0', nul2 + 1) != std::string_view::npos)
    return std::nullopt;
  auto authzid = message.substr(0, nul1);
  PlainCredentials c{std::string(message.substr(nul1 + 1, nul2 - nul1 - 1)),
                     std::string(message.substr(nul2 + 1))};
  if (c.user.empty() || (!authzid.empty() && authzid != c.user)) return std::nullopt;
  return c;
}

}  // namespace postern::imap
