// log_in: see login.h.
#include "pop3/login.h"

namespace postern::pop3 {

Result<LoginGrant, LoginError> log_in(Backend& backend, MaildropLocks& locks, std::string_view user,
                                      std::string_view password) {
  auto account = backend.authenticate(user, password);
  if (!account) {
    return account.error() == Errc::not_found ? LoginError::bad_credentials
                                              : LoginError::unavailable;
  }
  // The lock before the listing: the listing must not change under a
  // session that holds it (RFC 1939 §8).
  auto lock = locks.try_lock(account->id);
  if (!lock) return LoginError::in_use;
  auto maildrop = backend.open(*account);
  if (!maildrop) return LoginError::unavailable;
  return LoginGrant{std::move(*account), std::move(*lock), std::move(*maildrop)};
}

}  // namespace postern::pop3
