#include "imap/session/recent_table.h"

#include <algorithm>

namespace postern::imap {

std::uint32_t RecentTable::claim(store::MailboxId mailbox, std::uint32_t highest_uid) {
  std::lock_guard lock(mutex_);
  auto& mark = claimed_[mailbox];
  std::uint32_t before = mark;
  mark = std::max(mark, highest_uid);
  return before;
}

std::uint32_t RecentTable::claimed(store::MailboxId mailbox) const {
  std::lock_guard lock(mutex_);
  auto it = claimed_.find(mailbox);
  return it == claimed_.end() ? 0 : it->second;
}

}  // namespace postern::imap
