#include "imap/session/stored_flags.h"

#include <algorithm>
#include <iterator>

namespace postern::imap {
namespace {

using store::SystemFlag;

constexpr std::pair<std::string_view, SystemFlag> kFlagNames[] = {
    {"\\Seen", SystemFlag::seen},       {"\\Answered", SystemFlag::answered},
    {"\\Flagged", SystemFlag::flagged}, {"\\Deleted", SystemFlag::deleted},
    {"\\Draft", SystemFlag::draft},
};

}  // namespace

std::optional<store::MailFlags> stored_flags(const FlagList& list) {
  store::MailFlags flags;
  for (const auto& f : list) {
    if (f == "\\Recent") continue;
    auto known = std::find_if(std::begin(kFlagNames), std::end(kFlagNames),
                              [&](const auto& n) { return n.first == f; });
    if (known != std::end(kFlagNames)) {
      flags.system |= static_cast<std::uint8_t>(known->second);
    } else if (f.starts_with('\\')) {
      return std::nullopt;
    } else {
      flags.keywords.push_back(f);
    }
  }
  std::sort(flags.keywords.begin(), flags.keywords.end());
  flags.keywords.erase(std::unique(flags.keywords.begin(), flags.keywords.end()),
                       flags.keywords.end());
  return flags;
}

}  // namespace postern::imap
