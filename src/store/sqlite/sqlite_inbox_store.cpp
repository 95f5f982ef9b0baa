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

// Messages: the next commit of this branch stores them.
void SqliteInboxStore::deliver(InboxDelivery, Completion<std::vector<DeliveredCopy>> done) {
  done(error_code(Errc::internal));
}

void SqliteInboxStore::store_flags(MailboxId, std::vector<std::uint32_t>, FlagChange,
                                   Completion<std::vector<FlagUpdate>> done) {
  done(error_code(Errc::internal));
}

void SqliteInboxStore::copy(MailboxId, std::vector<std::uint32_t>, MailboxId, bool,
                            Completion<CopyResult> done) {
  done(error_code(Errc::internal));
}

void SqliteInboxStore::expunge(MailboxId, std::vector<std::uint32_t>, bool,
                               Completion<std::vector<std::uint32_t>> done) {
  done(error_code(Errc::internal));
}

void SqliteInboxStore::expire(SystemTime, std::size_t, Completion<ExpiryCounts> done) {
  done(error_code(Errc::internal));
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

Result<std::vector<MailEntry>> SqliteInboxStore::entries(MailboxId) {
  return error_code(Errc::internal);
}

Result<MailboxChanges> SqliteInboxStore::changes_since(MailboxId, std::uint64_t) {
  return error_code(Errc::internal);
}

Result<std::vector<EntryWithSummary>> SqliteInboxStore::entries_with_summary(
    MailboxId, const std::vector<std::uint32_t>&) {
  return error_code(Errc::internal);
}

Result<std::vector<EntryWithSummary>> SqliteInboxStore::search(MailboxId, const InboxQuery&) {
  return error_code(Errc::internal);
}

Result<std::string> SqliteInboxStore::blob_content(BlobId) { return error_code(Errc::internal); }

Result<std::pair<AccountId, MailEntry>> SqliteInboxStore::find_caught(MessageId) {
  return error_code(Errc::internal);
}

}  // namespace postern::store::sqlite
