// The POP3 Backend over the test inbox's storage (store/inbox_store.h): an
// account's maildrop is its INBOX; USER/PASS go to the account service's
// login check (inbox::AccountService::verify_login: its cache, the record of
// use, the same cost for an unknown user); UIDL is "<uidvalidity>.<uid>", unique in the mailbox and
// the same in every session while the mailbox's UIDVALIDITY stands; QUIT's deletions expunge
// exactly the deleted UIDs.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "pop3/maildrop.h"
#include "store/inbox_store.h"

namespace postern::pop3 {

// The account whose password `password` is (not_found for a wrong user or
// password alike): AccountService::verify_login, given by the composition
// root so that pop3 does not depend on src/inbox.
using LoginCheck =
    std::function<Result<store::InboxAccount>(std::string_view user, std::string_view password)>;

class InboxBackend final : public Backend {
 public:
  // `store` must outlive the backend and its maildrops.
  InboxBackend(store::InboxStore& store, LoginCheck login);

  Result<Account> authenticate(std::string_view user, std::string_view password) override;
  Result<std::unique_ptr<Maildrop>> open(const Account& account) override;

 private:
  store::InboxStore& store_;
  LoginCheck login_;
};

}  // namespace postern::pop3
