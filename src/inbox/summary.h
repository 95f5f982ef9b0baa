// What the test inbox keeps beside each caught message (store::BlobSummary),
// computed once when it is stored: the list view, search text and the IMAP
// answers that FETCH would otherwise parse the message for.
#pragma once

#include <string_view>

#include "store/inbox_store.h"

namespace postern::inbox {

// Fills every field of BlobSummary from the raw RFC 5322 bytes: decoded
// From/To/Cc/Subject, Message-ID, Date, attachments, the text for search
// (mime::view_message) and ENVELOPE, BODYSTRUCTURE and BODY
// (mime::imap_structure). Never fails; needs mime::init().
store::BlobSummary summarize(std::string_view raw);

}  // namespace postern::inbox
