// The read queries of the test inbox's storage (store/inbox_store.h) on the
// PostgreSQL store, on a connection borrowed from the store's reader pool
// for one call. Each read is one statement, so it sees one commit, as
// SQLite's InboxReader sees one read transaction.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "store/inbox_store.h"
#include "store/postgres/connection.h"

namespace postern::store::postgres {

class InboxReader {
 public:
  explicit InboxReader(Connection& c) : c_(c) {}

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

 private:
  Result<InboxAccount> one_account(const char* sql, const Params& params);
  Result<Mailbox> one_mailbox(const char* sql, const Params& params);

  Connection& c_;
};

}  // namespace postern::store::postgres
