// The stored flags (store::MailFlags) a client's flag list names, for
// STORE and APPEND.
#pragma once

#include <optional>

#include "imap/parser/command.h"
#include "store/inbox_store.h"

namespace postern::imap {

// The stored flags a STORE or APPEND names; nullopt for an unknown system
// flag. \Recent cannot be set or cleared by a client (RFC 3501 §2.3.2) and
// is left out, as Dovecot does. Keywords come sorted and unique.
std::optional<store::MailFlags> stored_flags(const FlagList& list);

}  // namespace postern::imap
