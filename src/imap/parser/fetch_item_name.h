// The name a FETCH response gives each item it answers (RFC 3501 §7.4.2):
// "FLAGS", "RFC822.SIZE", "BODY[1.2.HEADER.FIELDS (From To)]<0>", ... A
// section is named as the client asked for it, except that BODY.PEEK
// answers as BODY and a partial range shows only its origin.
#pragma once

#include <string>

#include "imap/parser/command.h"

namespace postern::imap {

std::string fetch_item_name(const FetchItem& item);

}  // namespace postern::imap
