#include "store/sqlite/inbox_reader.h"

#include <limits>

#include "store/sqlite/inbox_rows.h"

namespace postern::store::sqlite {
namespace {

constexpr std::string_view kAccount =
    "SELECT " POSTERN_INBOX_ACCOUNT_COLUMNS " FROM inbox_accounts WHERE id = ?1";
constexpr std::string_view kAccountByUser =
    "SELECT " POSTERN_INBOX_ACCOUNT_COLUMNS " FROM inbox_accounts WHERE user = ?1";
constexpr std::string_view kAccountByAddress =
    "SELECT " POSTERN_INBOX_ACCOUNT_COLUMNS " FROM inbox_accounts WHERE address = ?1";
constexpr std::string_view kListAccounts = "SELECT " POSTERN_INBOX_ACCOUNT_COLUMNS
                                           " FROM inbox_accounts WHERE id < ?1 ORDER BY id DESC "
                                           "LIMIT ?2";
// INBOX first, then by name.
constexpr std::string_view kListMailboxes =
    "SELECT " POSTERN_INBOX_MAILBOX_COLUMNS
    " FROM inbox_mailboxes WHERE account = ?1 ORDER BY name_key <> 'INBOX', name";
constexpr std::string_view kMailbox = "SELECT " POSTERN_INBOX_MAILBOX_COLUMNS
                                      " FROM inbox_mailboxes WHERE account = ?1 AND name_key = ?2";
constexpr std::string_view kMailboxById =
    "SELECT " POSTERN_INBOX_MAILBOX_COLUMNS " FROM inbox_mailboxes WHERE id = ?1";
constexpr std::string_view kMailboxCounts =
    "SELECT count(*), count(*) FILTER (WHERE flags & 1 = 0), coalesce(sum(size), 0) FROM "
    "inbox_entries "
    "WHERE mailbox = ?1";

}  // namespace

Result<std::unique_ptr<InboxReader>> InboxReader::open(const std::string& path,
                                                       const ContentLog& content) {
  auto db = Database::open(path, false);
  if (!db) return db.error();
  for (const char* pragma : {"PRAGMA busy_timeout = 5000", "PRAGMA query_only = 1"}) {
    if (auto r = (*db)->exec(pragma); !r) return r.error();
  }
  auto st =
      StatementCache::prepare(**db, {kAccount, kAccountByUser, kAccountByAddress, kListAccounts,
                                     kListMailboxes, kMailbox, kMailboxById, kMailboxCounts});
  if (!st) return st.error();
  return std::unique_ptr<InboxReader>(new InboxReader(std::move(*db), content, std::move(*st)));
}

InboxReader::InboxReader(std::unique_ptr<Database> db, const ContentLog& content, StatementCache st)
    : db_(std::move(db)), content_(content), st_(std::move(st)) {}

Result<InboxAccount> InboxReader::account(AccountId id) {
  return st_[kAccount].bind(1, id).one_row(Errc::not_found, read_inbox_account);
}

Result<InboxAccount> InboxReader::account_by_user(const std::string& user) {
  return st_[kAccountByUser].bind(1, user).one_row(Errc::not_found, read_inbox_account);
}

Result<InboxAccount> InboxReader::account_by_address(const std::string& address) {
  return st_[kAccountByAddress].bind(1, address).one_row(Errc::not_found, read_inbox_account);
}

Result<std::vector<InboxAccount>> InboxReader::list_accounts(AccountId before, std::size_t limit) {
  std::vector<InboxAccount> out;
  auto& s = st_[kListAccounts];
  s.bind(1, before > 0 ? before : std::numeric_limits<std::int64_t>::max())
      .bind(2, static_cast<std::int64_t>(limit));
  if (auto r = s.each_row([&](const Statement& row) { out.push_back(read_inbox_account(row)); });
      !r)
    return r.error();
  return out;
}

Result<std::vector<Mailbox>> InboxReader::list_mailboxes(AccountId account) {
  std::vector<Mailbox> out;
  if (auto r = st_[kListMailboxes].bind(1, account).each_row([&](const Statement& row) {
        out.push_back(read_mailbox(row));
      });
      !r)
    return r.error();
  return out;
}

Result<Mailbox> InboxReader::mailbox(AccountId account, const std::string& name) {
  auto key = mailbox_key(name);
  return st_[kMailbox].bind(1, account).bind(2, key).one_row(Errc::not_found, read_mailbox);
}

Result<Mailbox> InboxReader::mailbox_by_id(MailboxId id) {
  return st_[kMailboxById].bind(1, id).one_row(Errc::not_found, read_mailbox);
}

Result<MailboxCounts> InboxReader::mailbox_counts(MailboxId mailbox) {
  // An aggregate always answers one row; a missing mailbox is told apart.
  if (auto m = mailbox_by_id(mailbox); !m) return m.error();
  return st_[kMailboxCounts].bind(1, mailbox).one_row(Errc::internal, [](Statement& row) {
    return MailboxCounts{static_cast<std::uint32_t>(row.column_int(0)),
                         static_cast<std::uint32_t>(row.column_int(1)),
                         static_cast<std::uint64_t>(row.column_int(2))};
  });
}

}  // namespace postern::store::sqlite
