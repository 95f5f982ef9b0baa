// The write operations of the test inbox's storage (store/inbox_store.h) on
// the SQLite store's writer connection. Each runs on the group-commit writer
// thread inside the batch's transaction, like Writer's, and inside a
// savepoint of its own (atomically), so that an operation refused half-way
// (not_found, conflict) leaves nothing of itself behind while the batch
// commits.
//
// Blob reference counts and accounts' used bytes are kept by triggers on
// inbox_entries (schema migration 8), so every path that adds or removes an
// entry keeps them exact.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/inbox_store.h"
#include "store/sqlite/content_log.h"
#include "store/sqlite/database.h"
#include "store/sqlite/statement_cache.h"

namespace postern::store::sqlite {

class InboxWriter {
 public:
  static Result<std::unique_ptr<InboxWriter>> create(Database& db, ContentLog& content,
                                                     const Clock& clock);

  // Runs `op` inside a savepoint, rolled back when it fails.
  template <class T, class Op>
  Result<T> atomically(Op&& op) {
    if (auto r = st_[kSavepoint].run(); !r) return r.error();
    Result<T> answer = op();
    if (!answer) (void)st_[kRollbackToSavepoint].run();
    if (auto r = st_[kReleaseSavepoint].run(); !r) return r.error();
    return answer;
  }

  Result<InboxAccount> create_account(const NewInboxAccount& account);
  Result<void> delete_account(AccountId id);
  Result<void> touch_account(AccountId id, SystemTime now);

  Result<Mailbox> create_mailbox(AccountId account, const std::string& name);
  Result<void> delete_mailbox(AccountId account, const std::string& name);
  Result<void> rename_mailbox(AccountId account, const std::string& from, const std::string& to);
  Result<void> set_subscribed(AccountId account, const std::string& name, bool subscribed);

  // inbox_messages.cpp
  Result<std::vector<DeliveredCopy>> deliver(const InboxDelivery& delivery);
  Result<std::vector<FlagUpdate>> store_flags(MailboxId mailbox, std::vector<std::uint32_t> uids,
                                              const FlagChange& change);
  // Nothing (and nothing copied) when the target account's quota would be
  // exceeded: the caller answers storage_full, which must not reach the
  // committer as an error of the storage itself (that would roll back the
  // whole batch).
  Result<std::optional<CopyResult>> copy(MailboxId from, std::vector<std::uint32_t> uids,
                                         MailboxId target, bool move);
  Result<std::vector<std::uint32_t>> expunge(MailboxId mailbox, std::vector<std::uint32_t> uids,
                                             bool only_deleted);
  Result<ExpiryCounts> expire(SystemTime now, std::size_t limit);

 private:
  static constexpr std::string_view kSavepoint = "SAVEPOINT inbox_op";
  static constexpr std::string_view kRollbackToSavepoint = "ROLLBACK TO inbox_op";
  static constexpr std::string_view kReleaseSavepoint = "RELEASE inbox_op";

  InboxWriter(Database& db, ContentLog& content, const Clock& clock, StatementCache st);
  static Result<void> add_message_statements(Database& db, StatementCache& st);

  Result<Mailbox> mailbox_by_id(MailboxId id);
  // The mailbox's next modseq (its highest_modseq, raised).
  Result<std::int64_t> next_modseq(MailboxId mailbox);
  // Removes entries `uids` (existing) of `mailbox`, recording them as expunged.
  Result<void> remove_entries(MailboxId mailbox, const std::vector<std::uint32_t>& uids);
  Result<std::vector<std::string>> keywords_of(MailboxId mailbox, std::uint32_t uid);
  Result<void> insert_keywords(MailboxId mailbox, std::uint32_t uid,
                               const std::vector<std::string>& keywords);
  // Whether the account may grow by `bytes`; not_found when it is missing.
  Result<bool> has_room(AccountId account, std::uint64_t bytes);

  Result<Mailbox> insert_mailbox(AccountId account, const std::string& name);
  Result<Mailbox> find_mailbox(AccountId account, const std::string& name);
  // Deletes the mailboxes `where` selects (by ?1) with their entries and tombstones.
  Result<void> delete_mailboxes(std::string_view entries_sql, std::string_view tombstones_sql,
                                std::string_view mailboxes_sql, std::int64_t key);
  Result<bool> account_exists(AccountId id);

  Database& db_;
  ContentLog& content_;
  const Clock& clock_;
  StatementCache st_;
};

}  // namespace postern::store::sqlite
