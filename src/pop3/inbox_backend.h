// The POP3 Backend over the test inbox's storage (store/inbox_store.h): an
// account's maildrop is its INBOX; USER/PASS go to the account service's
// login check (auth::AccountLogins, inbox::AccountService: its cache, the record of
// use, the same cost for an unknown user); UIDL is "<uidvalidity>.<uid>", unique in the mailbox and
// the same in every session while the mailbox's UIDVALIDITY stands; QUIT's deletions expunge
// exactly the deleted UIDs.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "auth/account_logins.h"
#include "pop3/maildrop.h"
#include "store/inbox_store.h"

namespace postern::pop3 {

class InboxBackend final : public Backend {
 public:
  // `store` must outlive the backend and its maildrops, `logins` the backend.
  InboxBackend(store::InboxStore& store, auth::AccountLogins& logins);

  Result<Account> authenticate(std::string_view user, std::string_view password) override;
  Result<std::unique_ptr<Maildrop>> open(const Account& account) override;

 private:
  store::InboxStore& store_;
  auth::AccountLogins& logins_;
};

}  // namespace postern::pop3
