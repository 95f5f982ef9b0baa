// The write operations of the test inbox's storage (store/inbox_store.h) on
// the PostgreSQL store's writer connection. Each runs on the group-commit
// writer thread inside the batch's transaction, like Writer's; none commits.
//
// No savepoints (SQLite's writer runs each operation in one): a savepoint
// per operation would be a subtransaction per write, and past 64 of them in
// one transaction every other session of the server pays for looking them
// up (subtransaction cache overflow). Instead each operation checks all it
// answers (not_found, conflict, storage_full) before its first change, from
// rows it has locked, so a refused operation has changed nothing. As in
// Writer, no answer comes from a statement's error: a statement that fails
// aborts the whole transaction, so any error of one is answered as a
// storage failure (the batch rolls back, and the group committer applies
// its writes again one per transaction, where the operation sees what made
// it fail, e.g. a mailbox another node created meanwhile).
//
// UIDs with several nodes appending at once: a mailbox's uid_next (and
// highest_modseq) is a column of its row, read FOR UPDATE and advanced in
// the transaction that files the entries, rather than a sequence. The row
// lock is held until that transaction commits, so a second node filing
// into the same mailbox waits for the first to commit and then reads the
// advanced counter: UIDs never repeat, no number is skipped, and a UID is
// visible only after every smaller one of its mailbox is (a sequence would
// hand out numbers whose transactions commit in any order, and an IMAP
// client that saw UID 8 would never learn of a UID 7 committed after it).
//
// Locks are taken in one order within an operation, mailboxes (by id), then
// accounts (by id), then blobs (by id, in the entry triggers), so that two
// operations never wait on each other in opposite orders. Two nodes'
// batches, whose operations come in any order, still may: PostgreSQL then
// aborts one transaction (a deadlock is storage_unavailable), and the
// group committer applies its writes again one per transaction.
//
// What needs no answer (new entries, tombstones, counters already computed
// from locked rows) is deferred and goes to the server pipelined with the
// next statement or the batch's COMMIT: a delivery is two round trips.
// Blob reference counts and accounts' used bytes are kept by statement
// triggers on inbox_entries (schema migration 5).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/inbox_store.h"
#include "store/postgres/connection.h"

namespace postern::store::postgres {

class InboxWriter {
 public:
  InboxWriter(Connection& c, const Clock& clock) : c_(c), clock_(clock) {}

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
  // Runs a statement; any error is a storage failure (see the top).
  Result<Rows> query(std::string_view sql, const Params& params = {});
  // Queues a statement whose rows nobody reads (see the top).
  void defer(std::string sql, Params params) { c_.defer(std::move(sql), std::move(params)); }

  // A new mailbox; conflict when its name is taken.
  Result<Mailbox> insert_mailbox(AccountId account, const std::string& name);
  // The account's mailbox, locked; not_found.
  Result<Mailbox> lock_mailbox(AccountId account, const std::string& name);
  // Mailbox `id`, locked; not_found.
  Result<Mailbox> lock_mailbox_by_id(MailboxId id);
  // Locks the account (after its mailboxes); not_found when it is missing.
  Result<void> lock_account(AccountId id);
  // Removes entries `uids` (existing, locked mailbox) of `mailbox` at its
  // next modseq, recording them as expunged. Deferred.
  void remove_entries(MailboxId mailbox, const std::vector<std::uint32_t>& uids);

  Connection& c_;
  const Clock& clock_;
};

}  // namespace postern::store::postgres
