// The login check of the test inbox's accounts, the one shape every server
// that takes their credentials asks (SMTP AUTH through the Authenticator,
// IMAP LOGIN and AUTHENTICATE, POP3 PASS). inbox::AccountService implements
// it (its cache, the record of use, the same cost for an unknown user); an
// interface here so that the servers need not depend on src/inbox, and the
// composition root hands the one service to all of them.
#pragma once

#include <string_view>

#include "core/error.h"
#include "store/inbox_store.h"

namespace postern::auth {

class AccountLogins {
 public:
  virtual ~AccountLogins() = default;
  // The account whose user name (or address) and password these are.
  // Errors: not_found when they do not match (no such account, or the wrong
  // password: the caller cannot tell which), else the store's. Slow by
  // design (Argon2id on a cache miss): callers run it off the I/O threads.
  virtual Result<store::InboxAccount> verify_login(std::string_view user,
                                                   std::string_view password) = 0;
};

}  // namespace postern::auth
