// InboxStore's calls on a backend whose inbox writer and reader have its
// operations under the same names (store/sqlite/inbox_writer.h and
// inbox_reader.h, store/postgres/inbox_writer.h and inbox_reader.h): each
// write queued on the store's group committer as one write, each read run
// on a reader. `Backend` (which derives from this class) supplies
//
//   template <class T, class Op> void submit_write(Op op, Completion<T> done);
//       // queues op(writer), which answers Result<T>
//   template <class F> auto run_read(F f);  // f(reader), on a reader
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/inbox_store.h"

namespace postern::store {

template <class Backend>
class InboxStoreCalls : public InboxStore {
 public:
  void create_account(NewInboxAccount account, Completion<InboxAccount> done) override {
    write<InboxAccount>([a = std::move(account)](auto& w) { return w.create_account(a); },
                        std::move(done));
  }

  void delete_account(AccountId id, Completion<void> done) override {
    write<void>([id](auto& w) { return w.delete_account(id); }, std::move(done));
  }

  void touch_account(AccountId id, SystemTime now, Completion<void> done) override {
    write<void>([id, now](auto& w) { return w.touch_account(id, now); }, std::move(done));
  }

  void create_mailbox(AccountId account, std::string name, Completion<Mailbox> done) override {
    write<Mailbox>([account, n = std::move(name)](auto& w) { return w.create_mailbox(account, n); },
                   std::move(done));
  }

  void delete_mailbox(AccountId account, std::string name, Completion<void> done) override {
    write<void>([account, n = std::move(name)](auto& w) { return w.delete_mailbox(account, n); },
                std::move(done));
  }

  void rename_mailbox(AccountId account, std::string from, std::string to,
                      Completion<void> done) override {
    write<void>([account, f = std::move(from),
                 t = std::move(to)](auto& w) { return w.rename_mailbox(account, f, t); },
                std::move(done));
  }

  void set_subscribed(AccountId account, std::string name, bool subscribed,
                      Completion<void> done) override {
    write<void>([account, n = std::move(name),
                 subscribed](auto& w) { return w.set_subscribed(account, n, subscribed); },
                std::move(done));
  }

  void deliver(InboxDelivery delivery, Completion<std::vector<DeliveredCopy>> done) override {
    write<std::vector<DeliveredCopy>>([d = std::move(delivery)](auto& w) { return w.deliver(d); },
                                      std::move(done));
  }

  void store_flags(MailboxId mailbox, std::vector<std::uint32_t> uids, FlagChange change,
                   Completion<std::vector<FlagUpdate>> done) override {
    write<std::vector<FlagUpdate>>([mailbox, u = std::move(uids), c = std::move(change)](
                                       auto& w) { return w.store_flags(mailbox, u, c); },
                                   std::move(done));
  }

  void copy(MailboxId from, std::vector<std::uint32_t> uids, MailboxId target, bool move,
            Completion<CopyResult> done) override {
    // The writer answers nothing when the target account's quota would be
    // exceeded: storage_full from it would fail the whole batch.
    write<std::optional<CopyResult>>([from, u = std::move(uids), target,
                                      move](auto& w) { return w.copy(from, u, target, move); },
                                     [done = std::move(done)](Result<std::optional<CopyResult>> r) {
                                       if (!r) return done(r.error());
                                       if (!*r) return done(error_code(Errc::storage_full));
                                       done(std::move(**r));
                                     });
  }

  void expunge(MailboxId mailbox, std::vector<std::uint32_t> uids, bool only_deleted,
               Completion<std::vector<std::uint32_t>> done) override {
    write<std::vector<std::uint32_t>>([mailbox, u = std::move(uids), only_deleted](
                                          auto& w) { return w.expunge(mailbox, u, only_deleted); },
                                      std::move(done));
  }

  void expire(SystemTime now, std::size_t limit, Completion<ExpiryCounts> done) override {
    write<ExpiryCounts>([now, limit](auto& w) { return w.expire(now, limit); }, std::move(done));
  }

  Result<InboxAccount> account(AccountId id) override {
    return read([&](auto& r) { return r.account(id); });
  }

  Result<InboxAccount> account_by_user(const std::string& user) override {
    return read([&](auto& r) { return r.account_by_user(user); });
  }

  Result<InboxAccount> account_by_address(const std::string& address) override {
    return read([&](auto& r) { return r.account_by_address(address); });
  }

  Result<std::vector<InboxAccount>> list_accounts(AccountId before, std::size_t limit) override {
    return read([&](auto& r) { return r.list_accounts(before, limit); });
  }

  Result<std::vector<Mailbox>> list_mailboxes(AccountId account) override {
    return read([&](auto& r) { return r.list_mailboxes(account); });
  }

  Result<Mailbox> mailbox(AccountId account, const std::string& name) override {
    return read([&](auto& r) { return r.mailbox(account, name); });
  }

  Result<Mailbox> mailbox_by_id(MailboxId id) override {
    return read([&](auto& r) { return r.mailbox_by_id(id); });
  }

  Result<MailboxCounts> mailbox_counts(MailboxId mailbox) override {
    return read([&](auto& r) { return r.mailbox_counts(mailbox); });
  }

  Result<std::vector<MailEntry>> entries(MailboxId mailbox) override {
    return read([&](auto& r) { return r.entries(mailbox); });
  }

  Result<MailboxChanges> changes_since(MailboxId mailbox, std::uint64_t modseq) override {
    return read([&](auto& r) { return r.changes_since(mailbox, modseq); });
  }

  Result<std::vector<EntryWithSummary>> entries_with_summary(
      MailboxId mailbox, const std::vector<std::uint32_t>& uids) override {
    return read([&](auto& r) { return r.entries_with_summary(mailbox, uids, true); });
  }

  Result<std::vector<EntryWithSummary>> entries_without_text(
      MailboxId mailbox, const std::vector<std::uint32_t>& uids) override {
    return read([&](auto& r) { return r.entries_with_summary(mailbox, uids, false); });
  }

  Result<std::vector<EntryWithSummary>> search(MailboxId mailbox,
                                               const InboxQuery& query) override {
    return read([&](auto& r) { return r.search(mailbox, query); });
  }

  Result<std::string> blob_content(BlobId blob) override {
    return read([&](auto& r) { return r.blob_content(blob); });
  }

  Result<std::pair<AccountId, MailEntry>> find_caught(MessageId source) override {
    return read([&](auto& r) { return r.find_caught(source); });
  }

 private:
  template <class T, class Op, class Done>
  void write(Op op, Done done) {
    static_cast<Backend&>(*this).template submit_write<T>(std::move(op),
                                                          Completion<T>(std::move(done)));
  }

  template <class F>
  auto read(F f) {
    return static_cast<Backend&>(*this).run_read(std::move(f));
  }
};

}  // namespace postern::store
