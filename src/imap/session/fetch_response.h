// One message's FETCH response (RFC 3501 §7.4.2), from what the store
// keeps: the view's flags, the entry, its summary (ENVELOPE, BODYSTRUCTURE
// and BODY were computed at delivery) and, only for body sections, the
// message's bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "imap/parser/command.h"
#include "store/inbox_store.h"

namespace postern::imap {

struct FetchedMessage {
  std::uint32_t seq = 0;
  const store::MailFlags* flags = nullptr;  // as the session's view has them
  bool recent = false;
  const store::EntryWithSummary* entry = nullptr;
};

// Reads the message's bytes (InboxStore::blob_content); called at most once.
using ContentLoader = std::function<Result<std::string>()>;

// True when the item sets \Seen (RFC 3501 §6.4.5: BODY[...], RFC822,
// RFC822.TEXT; not BODY.PEEK[...] nor RFC822.HEADER).
bool sets_seen(const FetchItem& item);

// "* seq FETCH (...)\r\n" with the items in the order asked, UID first
// when `with_uid` adds it (UID FETCH), FLAGS last when `with_flags` adds
// it (\Seen was just set). An error only when the bytes could not be read.
Result<std::string> render_fetch(const FetchedMessage& message, const std::vector<FetchItem>& items,
                                 bool with_uid, bool with_flags, const ContentLoader& load);

// INTERNALDATE's date-time (RFC 3501 §9): "06-Dec-2026 21:17:25 +0000".
std::string internal_date_text(SystemTime time);

}  // namespace postern::imap
