// How the IMAP (and POP3) session checks a password: the account service
// (src/inbox, AccountService::verify_login) implements it. It is slow on
// purpose (Argon2id), so the session driver calls it off the I/O thread
// and feeds the answer back (SessionFsm::Action::check_login).
#pragma once

#include <string_view>

#include "core/error.h"
#include "store/inbox_store.h"

namespace postern::imap {

class LoginChecker {
 public:
  virtual ~LoginChecker() = default;
  // The account when `password` is its password; an error otherwise
  // (not_found for a wrong user or password alike, storage_unavailable
  // when the check could not be made).
  virtual Result<store::InboxAccount> verify_login(std::string_view user,
                                                   std::string_view password) = 0;
};

}  // namespace postern::imap
