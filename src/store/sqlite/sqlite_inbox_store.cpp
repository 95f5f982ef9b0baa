#include "store/sqlite/sqlite_inbox_store.h"

namespace postern::store::sqlite {

void SqliteInboxStore::create_account(NewInboxAccount account, Completion<InboxAccount> done) {
  submit<InboxAccount>([a = std::move(account)](InboxWriter& w) { return w.create_account(a); },
                       std::move(done));
}

void SqliteInboxStore::delete_account(AccountId id, Completion<void> done) {
  submit<void>([id](InboxWriter& w) { return w.delete_account(id); }, std::move(done));
}

void SqliteInboxStore::touch_account(AccountId id, SystemTime now, Completion<void> done) {
  submit<void>([id, now](InboxWriter& w) { return w.touch_account(id, now); }, std::move(done));
}

void SqliteInboxStore::create_mailbox(AccountId account, std::string name,
                                      Completion<Mailbox> done) {
  submit<Mailbox>(
      [account, n = std::move(name)](InboxWriter& w) { return w.create_mailbox(account, n); },
      std::move(done));
}

void SqliteInboxStore::delete_mailbox(AccountId account, std::string name, Completion<void> done) {
  submit<void>(
      [account, n = std::move(name)](InboxWriter& w) { return w.delete_mailbox(account, n); },
      std::move(done));
}

void SqliteInboxStore::rename_mailbox(AccountId account, std::string from, std::string to,
                                      Completion<void> done) {
  submit<void>([account, f = std::move(from),
                t = std::move(to)](InboxWriter& w) { return w.rename_mailbox(account, f, t); },
               std::move(done));
}

void SqliteInboxStore::set_subscribed(AccountId account, std::string name, bool subscribed,
                                      Completion<void> done) {
  submit<void>([account, n = std::move(name),
                subscribed](InboxWriter& w) { return w.set_subscribed(account, n, subscribed); },
               std::move(done));
}

void SqliteInboxStore::deliver(InboxDelivery delivery,
                               Completion<std::vector<DeliveredCopy>> done) {
  submit<std::vector<DeliveredCopy>>(
      [d = std::move(delivery)](InboxWriter& w) { return w.deliver(d); }, std::move(done));
}

void SqliteInboxStore::store_flags(MailboxId mailbox, std::vector<std::uint32_t> uids,
                                   FlagChange change, Completion<std::vector<FlagUpdate>> done) {
  submit<std::vector<FlagUpdate>>([mailbox, u = std::move(uids), c = std::move(change)](
                                      InboxWriter& w) { return w.store_flags(mailbox, u, c); },
                                  std::move(done));
}

void SqliteInboxStore::copy(MailboxId from, std::vector<std::uint32_t> uids, MailboxId target,
                            bool move, Completion<CopyResult> done) {
  submit<std::optional<CopyResult>>(
      [from, u = std::move(uids), target, move](InboxWriter& w) {
        return w.copy(from, u, target, move);
      },
      [done = std::move(done)](Result<std::optional<CopyResult>> r) {
        if (!r) return done(r.error());
        if (!*r) return done(error_code(Errc::storage_full));  // the target account's quota
        done(std::move(**r));
      });
}

void SqliteInboxStore::expunge(MailboxId mailbox, std::vector<std::uint32_t> uids,
                               bool only_deleted, Completion<std::vector<std::uint32_t>> done) {
  submit<std::vector<std::uint32_t>>(
      [mailbox, u = std::move(uids), only_deleted](InboxWriter& w) {
        return w.expunge(mailbox, u, only_deleted);
      },
      std::move(done));
}

void SqliteInboxStore::expire(SystemTime now, std::size_t limit, Completion<ExpiryCounts> done) {
  submit<ExpiryCounts>([now, limit](InboxWriter& w) { return w.expire(now, limit); },
                       std::move(done));
}

Result<InboxAccount> SqliteInboxStore::account(AccountId id) {
  return readers_.borrow()->account(id);
}

Result<InboxAccount> SqliteInboxStore::account_by_user(const std::string& user) {
  return readers_.borrow()->account_by_user(user);
}

Result<InboxAccount> SqliteInboxStore::account_by_address(const std::string& address) {
  return readers_.borrow()->account_by_address(address);
}

Result<std::vector<InboxAccount>> SqliteInboxStore::list_accounts(AccountId before,
                                                                  std::size_t limit) {
  return readers_.borrow()->list_accounts(before, limit);
}

Result<std::vector<Mailbox>> SqliteInboxStore::list_mailboxes(AccountId account) {
  return readers_.borrow()->list_mailboxes(account);
}

Result<Mailbox> SqliteInboxStore::mailbox(AccountId account, const std::string& name) {
  return readers_.borrow()->mailbox(account, name);
}

Result<Mailbox> SqliteInboxStore::mailbox_by_id(MailboxId id) {
  return readers_.borrow()->mailbox_by_id(id);
}

Result<MailboxCounts> SqliteInboxStore::mailbox_counts(MailboxId mailbox) {
  return readers_.borrow()->mailbox_counts(mailbox);
}

Result<std::vector<MailEntry>> SqliteInboxStore::entries(MailboxId mailbox) {
  return readers_.borrow()->entries(mailbox);
}

Result<MailboxChanges> SqliteInboxStore::changes_since(MailboxId mailbox, std::uint64_t modseq) {
  return readers_.borrow()->changes_since(mailbox, modseq);
}

Result<std::vector<EntryWithSummary>> SqliteInboxStore::entries_with_summary(
    MailboxId mailbox, const std::vector<std::uint32_t>& uids) {
  return readers_.borrow()->entries_with_summary(mailbox, uids, true);
}

Result<std::vector<EntryWithSummary>> SqliteInboxStore::entries_without_text(
    MailboxId mailbox, const std::vector<std::uint32_t>& uids) {
  return readers_.borrow()->entries_with_summary(mailbox, uids, false);
}

Result<std::vector<EntryWithSummary>> SqliteInboxStore::search(MailboxId mailbox,
                                                               const InboxQuery& query) {
  return readers_.borrow()->search(mailbox, query);
}

Result<std::string> SqliteInboxStore::blob_content(BlobId blob) {
  return readers_.borrow()->blob_content(blob);
}

Result<std::pair<AccountId, MailEntry>> SqliteInboxStore::find_caught(MessageId source) {
  return readers_.borrow()->find_caught(source);
}

Result<std::set<std::uint32_t>> SqliteInboxStore::referenced_content_segments() {
  return readers_.borrow()->referenced_content_segments();
}

}  // namespace postern::store::sqlite
