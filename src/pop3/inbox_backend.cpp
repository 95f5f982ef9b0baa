// InboxBackend: see inbox_backend.h.
#include "pop3/inbox_backend.h"

namespace postern::pop3 {
namespace {

struct StoredEntry {
  std::uint32_t uid = 0;
  store::BlobId blob = 0;
};

class InboxMaildrop final : public Maildrop {
 public:
  InboxMaildrop(store::InboxStore& store, const store::Mailbox& mailbox,
                const std::vector<store::MailEntry>& entries)
      : store_(store), mailbox_(mailbox.id) {
    for (const auto& e : entries) {
      messages_.push_back(
          {std::to_string(mailbox.uid_validity) + "." + std::to_string(e.uid), e.size});
      stored_.push_back({e.uid, e.blob});
    }
  }

  const std::vector<MessageInfo>& messages() const override { return messages_; }

  Result<std::string> content(std::size_t index) override {
    if (index >= stored_.size()) return error_code(Errc::not_found);
    return store_.blob_content(stored_[index].blob);
  }

  void remove(std::vector<std::size_t> indices, std::function<void(Result<void>)> done) override {
    std::vector<std::uint32_t> uids;
    for (auto i : indices) {
      if (i < stored_.size()) uids.push_back(stored_[i].uid);
    }
    // Exactly these UIDs, \Deleted or not (POP3 has no flags to consult).
    store_.expunge(mailbox_, std::move(uids), false,
                   [done = std::move(done)](Result<std::vector<std::uint32_t>> removed) {
                     if (removed) return done(Result<void>());
                     done(removed.error());
                   });
  }

 private:
  store::InboxStore& store_;
  store::MailboxId mailbox_;
  std::vector<MessageInfo> messages_;
  std::vector<StoredEntry> stored_;
};

error_code unavailable_unless_missing(const error_code& ec) {
  return ec == Errc::not_found ? ec : error_code(Errc::storage_unavailable);
}

}  // namespace

InboxBackend::InboxBackend(store::InboxStore& store, auth::AccountLogins& logins)
    : store_(store), logins_(logins) {}

Result<Account> InboxBackend::authenticate(std::string_view user, std::string_view password) {
  auto account = logins_.verify_login(user, password);
  if (!account) return unavailable_unless_missing(account.error());
  return Account{account->id, account->user, account->retention};
}

Result<std::unique_ptr<Maildrop>> InboxBackend::open(const Account& account) {
  auto mailbox = store_.mailbox(account.id, "INBOX");
  if (!mailbox) return unavailable_unless_missing(mailbox.error());
  auto entries = store_.entries(mailbox->id);
  if (!entries) return unavailable_unless_missing(entries.error());
  return std::unique_ptr<Maildrop>(std::make_unique<InboxMaildrop>(store_, *mailbox, *entries));
}

}  // namespace postern::pop3
