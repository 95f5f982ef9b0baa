// The POP3 Backend over the test inbox's storage (store/inbox_store.h): an
// account's maildrop is its INBOX; USER/PASS check the account's Argon2id
// password; UIDL is "<uidvalidity>.<uid>", unique in the mailbox and the
// same in every session while the mailbox's UIDVALIDITY stands; QUIT's
// deletions expunge exactly the deleted UIDs.
#pragma once

#include <string>

#include "core/clock.h"
#include "pop3/maildrop.h"
#include "store/inbox_store.h"

namespace postern::pop3 {

class InboxBackend final : public Backend {
 public:
  // `store` and `clock` must outlive the backend and its maildrops.
  InboxBackend(store::InboxStore& store, const Clock& clock);

  // A login is a use of the account (touch_account): it keeps it from
  // expiring for lack of use.
  Result<Account> authenticate(std::string_view user, std::string_view password) override;
  Result<std::unique_ptr<Maildrop>> open(const Account& account) override;

 private:
  store::InboxStore& store_;
  const Clock& clock_;
  // Checked when the user is unknown, so that an unknown user costs as
  // much time as a wrong password and names cannot be probed by timing.
  std::string decoy_hash_;
};

}  // namespace postern::pop3
