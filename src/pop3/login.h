// USER/PASS from credentials to a locked, open maildrop: authenticate, take
// the account's lock, open its maildrop. Blocking (Argon2id and storage
// reads): the server runs it on its worker pool. No sockets, so testable
// with a fake Backend.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "pop3/maildrop.h"
#include "pop3/maildrop_locks.h"

namespace postern::pop3 {

enum class LoginError {
  bad_credentials,  // -ERR [AUTH]
  in_use,           // -ERR [IN-USE]: another session holds the lock
  unavailable,      // -ERR [SYS/TEMP]: the storage failed
};

struct LoginGrant {
  Account account;
  MaildropLocks::Lock lock;
  std::unique_ptr<Maildrop> maildrop;
};

using postern::throw_exception_from_error;

Result<LoginGrant, LoginError> log_in(Backend& backend, MaildropLocks& locks, std::string_view user,
                                      std::string_view password);

}  // namespace postern::pop3
