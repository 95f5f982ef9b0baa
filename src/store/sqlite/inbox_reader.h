// The read queries of the test inbox's storage (store/inbox_store.h), on a
// reader connection of its own (a pool of them beside the Store's readers),
// so reads never wait for the writer and see the last commit.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "store/inbox_store.h"
#include "store/sqlite/content_log.h"
#include "store/sqlite/database.h"
#include "store/sqlite/reader_connection.h"
#include "store/sqlite/statement_cache.h"

namespace postern::store::sqlite {

class InboxReader {
 public:
  static Result<std::unique_ptr<InboxReader>> open(const std::string& path,
                                                   const ContentLog& content);

  Result<InboxAccount> account(AccountId id);
  Result<InboxAccount> account_by_user(const std::string& user);
  Result<InboxAccount> account_by_address(const std::string& address);
  Result<std::vector<InboxAccount>> list_accounts(AccountId before, std::size_t limit);

  Result<std::vector<Mailbox>> list_mailboxes(AccountId account);
  Result<Mailbox> mailbox(AccountId account, const std::string& name);
  Result<Mailbox> mailbox_by_id(MailboxId id);
  Result<MailboxCounts> mailbox_counts(MailboxId mailbox);

  Result<std::vector<MailEntry>> entries(MailboxId mailbox);
  Result<MailboxChanges> changes_since(MailboxId mailbox, std::uint64_t modseq);
  // Without `text`, BlobSummary::text is left empty.
  Result<std::vector<EntryWithSummary>> entries_with_summary(MailboxId mailbox,
                                                             const std::vector<std::uint32_t>& uids,
                                                             bool text);
  Result<std::vector<EntryWithSummary>> search(MailboxId mailbox, const InboxQuery& query);
  Result<std::string> blob_content(BlobId blob);
  Result<std::pair<AccountId, MailEntry>> find_caught(MessageId source);
  // Every content segment a blob lies in.
  Result<std::set<std::uint32_t>> referenced_content_segments();

 private:
  InboxReader(std::unique_ptr<Database> db, const ContentLog& content, StatementCache st);

  // Runs `read` in one read transaction, so that its queries see one commit.
  template <class T, class Read>
  Result<T> in_snapshot(Read&& read);
  // Gives each entry of `entries` (ascending UID; entry_of(e) is its
  // MailEntry) its keywords.
  template <class E, class EntryOf>
  Result<void> add_keywords(MailboxId mailbox, std::vector<E>& entries, EntryOf&& entry_of);

  std::unique_ptr<Database> db_;
  const ContentLog& content_;
  StatementCache st_;
};

}  // namespace postern::store::sqlite
