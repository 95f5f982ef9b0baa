// The test inbox's storage on the SQLite store (SqliteStore::inbox()): its
// writes go through the Store's group-commit writer, in the same
// transactions as the gateway's, and its reads to a pool of reader
// connections of its own.
#pragma once

#include <memory>
#include <set>

#include "store/group_commit.h"
#include "store/inbox_store.h"
#include "store/sqlite/reader_connection.h"
#include "store/sqlite/inbox_reader.h"
#include "store/sqlite/inbox_writer.h"

namespace postern::store::sqlite {

using InboxReaderPool = ConnectionPool<InboxReader>;

class SqliteInboxStore final : public InboxStore {
 public:
  // All three outlive this object; `committer` applies `writer`'s operations.
  SqliteInboxStore(GroupCommitter& committer, InboxWriter& writer, InboxReaderPool& readers)
      : committer_(committer), writer_(writer), readers_(readers) {}

  void create_account(NewInboxAccount account, Completion<InboxAccount> done) override;
  void delete_account(AccountId id, Completion<void> done) override;
  void touch_account(AccountId id, SystemTime now, Completion<void> done) override;
  void create_mailbox(AccountId account, std::string name, Completion<Mailbox> done) override;
  void delete_mailbox(AccountId account, std::string name, Completion<void> done) override;
  void rename_mailbox(AccountId account, std::string from, std::string to,
                      Completion<void> done) override;
  void set_subscribed(AccountId account, std::string name, bool subscribed,
                      Completion<void> done) override;
  void deliver(InboxDelivery delivery, Completion<std::vector<DeliveredCopy>> done) override;
  void store_flags(MailboxId mailbox, std::vector<std::uint32_t> uids, FlagChange change,
                   Completion<std::vector<FlagUpdate>> done) override;
  void copy(MailboxId from, std::vector<std::uint32_t> uids, MailboxId target, bool move,
            Completion<CopyResult> done) override;
  void expunge(MailboxId mailbox, std::vector<std::uint32_t> uids, bool only_deleted,
               Completion<std::vector<std::uint32_t>> done) override;
  void expire(SystemTime now, std::size_t limit, Completion<ExpiryCounts> done) override;

  Result<InboxAccount> account(AccountId id) override;
  Result<InboxAccount> account_by_user(const std::string& user) override;
  Result<InboxAccount> account_by_address(const std::string& address) override;
  Result<std::vector<InboxAccount>> list_accounts(AccountId before, std::size_t limit) override;
  Result<std::vector<Mailbox>> list_mailboxes(AccountId account) override;
  Result<Mailbox> mailbox(AccountId account, const std::string& name) override;
  Result<Mailbox> mailbox_by_id(MailboxId id) override;
  Result<MailboxCounts> mailbox_counts(MailboxId mailbox) override;
  Result<std::vector<MailEntry>> entries(MailboxId mailbox) override;
  Result<MailboxChanges> changes_since(MailboxId mailbox, std::uint64_t modseq) override;
  Result<std::vector<EntryWithSummary>> entries_with_summary(
      MailboxId mailbox, const std::vector<std::uint32_t>& uids) override;
  Result<std::vector<EntryWithSummary>> entries_without_text(
      MailboxId mailbox, const std::vector<std::uint32_t>& uids) override;
  Result<std::vector<EntryWithSummary>> search(MailboxId mailbox, const InboxQuery& query) override;
  Result<std::string> blob_content(BlobId blob) override;
  Result<std::pair<AccountId, MailEntry>> find_caught(MessageId source) override;

  // Every content segment a blob lies in (SqliteStore::reclaim_content_space).
  Result<std::set<std::uint32_t>> referenced_content_segments();

 private:
  // Queues `op` (a call of the writer answering Result<T>) to run atomically.
  template <class T, class Op, class Done>
  void submit(Op op, Done done) {
    committer_.submit<T>(
        [w = &writer_, op = std::move(op)]() { return w->atomically<T>([&] { return op(*w); }); },
        std::move(done));
  }

  GroupCommitter& committer_;
  InboxWriter& writer_;
  InboxReaderPool& readers_;
};

}  // namespace postern::store::sqlite
