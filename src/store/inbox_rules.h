// What both backends of the test inbox's storage (store/inbox_store.h)
// decide alike: mailbox names, the stored flag bits, how long expunges are
// remembered, and the LIKE patterns of a search.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/inbox_store.h"

namespace postern::store {

constexpr std::uint8_t kAllSystemFlags = 31;  // SystemFlag bits
constexpr std::uint8_t kDeletedFlag = static_cast<std::uint8_t>(SystemFlag::deleted);

// The system flags a change sets and those it clears (SystemFlag bits).
struct SystemFlagBits {
  std::uint8_t set = 0;
  std::uint8_t clear = 0;
};

inline SystemFlagBits system_flag_bits(const FlagChange& change) {
  const std::uint8_t given = change.flags.system & kAllSystemFlags;
  switch (change.operation) {
    case FlagOperation::add:
      return {given, 0};
    case FlagOperation::remove:
      return {0, given};
    case FlagOperation::replace:
      break;
  }
  return {given, static_cast<std::uint8_t>(kAllSystemFlags & ~given)};
}

// How long expunges are remembered for changes_since: longer than any IMAP
// session stays idle (30 min), so a session that is still open always
// catches up with a complete answer; one that comes back later reads the
// whole mailbox again, as IMAP without QRESYNC does anyway.
constexpr auto kTombstoneAge = std::chrono::hours(24);

inline bool is_inbox_name(std::string_view name) {
  constexpr std::string_view kInbox = "INBOX";
  if (name.size() != kInbox.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != kInbox[i]) return false;
  }
  return true;
}

// The name as the unique index compares it: INBOX in any case is "INBOX"
// (RFC 3501 §5.1); every other name is case-sensitive.
inline std::string mailbox_key(std::string_view name) {
  return is_inbox_name(name) ? std::string("INBOX") : std::string(name);
}

// A name an IMAP client may create: not empty, no empty level ('/' at
// either end or twice), no control characters, and none of LIST's
// wildcards '*' and '%', which would make the mailbox unlistable by name.
inline bool valid_mailbox_name(std::string_view name) {
  constexpr std::size_t kMaxName = 512;
  if (name.empty() || name.size() > kMaxName || name.front() == '/' || name.back() == '/')
    return false;
  if (name.find("//") != std::string_view::npos) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '*' || c == '%') return false;
  }
  return true;
}

// A LIKE pattern (escape character '\') that finds `text` anywhere ('' for
// no criterion), its own '%' and '_' taken literally.
inline std::string contains_pattern(std::string_view text) {
  if (text.empty()) return {};
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

template <class T>
std::vector<T> sorted_unique(std::vector<T> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

}  // namespace postern::store
