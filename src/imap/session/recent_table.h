// \Recent (RFC 3501 §2.3.2): a message is recent in exactly one session,
// the first to see it. UIDs of a mailbox only grow, so the table keeps per
// mailbox the highest UID some session has claimed; a session that sees a
// UID above it takes it (and every UID up to it it sees) as its own.
//
// One table per server, owned by the server object and shared by its
// sessions (on any I/O thread, hence the mutex). It lives in memory: after
// a restart the first session to select a mailbox sees all of it as recent,
// which RFC 3501 allows (\Recent is a hint) and is what a fresh client
// expects of a test inbox. Sessions in another process do not share it.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "store/inbox_store.h"

namespace postern::imap {

class RecentTable {
 public:
  // Claims every UID of `mailbox` up to `highest_uid` that no session has
  // claimed yet; answers the highest UID claimed before (the caller's
  // recent UIDs are those above it and up to `highest_uid`).
  std::uint32_t claim(store::MailboxId mailbox, std::uint32_t highest_uid);

  // The highest UID claimed in `mailbox` (0: none), for STATUS (RECENT).
  std::uint32_t claimed(store::MailboxId mailbox) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<store::MailboxId, std::uint32_t> claimed_;
};

}  // namespace postern::imap
