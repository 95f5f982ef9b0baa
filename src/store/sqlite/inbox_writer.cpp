#include "store/sqlite/inbox_writer.h"

#include <algorithm>

#include "store/sqlite/inbox_rows.h"

namespace postern::store::sqlite {
namespace {

constexpr std::string_view kInsertAccount =
    "INSERT INTO inbox_accounts(user, address, password_hash, created_at, last_used_at, "
    "retention_s, quota_bytes, catch_all) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7) "
    "RETURNING " POSTERN_INBOX_ACCOUNT_COLUMNS;
constexpr std::string_view kAccountExists = "SELECT 1 FROM inbox_accounts WHERE id = ?1";
constexpr std::string_view kTouchAccount =
    "UPDATE inbox_accounts SET last_used_at = max(last_used_at, ?2) WHERE id = ?1";
constexpr std::string_view kDeleteAccountEntries =
    "DELETE FROM inbox_entries WHERE mailbox IN (SELECT id FROM inbox_mailboxes WHERE account = "
    "?1)";
constexpr std::string_view kDeleteAccountTombstones =
    "DELETE FROM inbox_expunged WHERE mailbox IN (SELECT id FROM inbox_mailboxes WHERE account "
    "= ?1)";
constexpr std::string_view kDeleteAccountMailboxes =
    "DELETE FROM inbox_mailboxes WHERE account = ?1";
constexpr std::string_view kDeleteAccount = "DELETE FROM inbox_accounts WHERE id = ?1";
// Keys bound to the account go with it, in the same transaction: none is
// left that would send into an account that is gone.
constexpr std::string_view kDeleteAccountKeys = "DELETE FROM api_keys WHERE catch_account = ?1";

// A UIDVALIDITY above every one handed out, and at least the time in
// seconds, so that it also stays above those of a database restored from an
// older copy. (uint32 seconds last until 2106.)
constexpr std::string_view kNextUidValidity =
    "UPDATE inbox_state SET last_uid_validity = max(last_uid_validity + 1, ?1) WHERE id = 1 "
    "RETURNING last_uid_validity";
constexpr std::string_view kInsertMailbox =
    "INSERT INTO inbox_mailboxes(account, name, name_key, uid_validity) VALUES (?1, ?2, ?3, ?4) "
    "RETURNING " POSTERN_INBOX_MAILBOX_COLUMNS;
constexpr std::string_view kMailboxById =
    "SELECT " POSTERN_INBOX_MAILBOX_COLUMNS " FROM inbox_mailboxes WHERE id = ?1";
constexpr std::string_view kFindMailbox = "SELECT " POSTERN_INBOX_MAILBOX_COLUMNS
                                          " FROM inbox_mailboxes WHERE account = ?1 AND "
                                          "name_key = ?2";
constexpr std::string_view kDeleteMailboxEntries = "DELETE FROM inbox_entries WHERE mailbox = ?1";
constexpr std::string_view kDeleteMailboxTombstones =
    "DELETE FROM inbox_expunged WHERE mailbox = ?1";
constexpr std::string_view kDeleteMailbox = "DELETE FROM inbox_mailboxes WHERE id = ?1";
// The mailbox ?2 and those below it ('/' levels), shortest name first.
constexpr std::string_view kMailboxFamily =
    "SELECT id, name FROM inbox_mailboxes WHERE account = ?1 AND (name_key = ?2 OR "
    "substr(name, 1, length(?2) + 1) = ?2 || '/') ORDER BY length(name)";
constexpr std::string_view kRenameMailbox =
    "UPDATE inbox_mailboxes SET name = ?2, name_key = ?3 WHERE id = ?1";
constexpr std::string_view kSetSubscribed =
    "UPDATE inbox_mailboxes SET subscribed = ?3 WHERE account = ?1 AND name_key = ?2";
constexpr std::string_view kBumpModseq =
    "UPDATE inbox_mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = ?1 "
    "RETURNING highest_modseq";
// Renaming INBOX: its entries keep their UIDs in the new mailbox (whose
// UIDVALIDITY is new), and INBOX records them as expunged.
constexpr std::string_view kTombstoneAll =
    "INSERT INTO inbox_expunged(mailbox, modseq, uid, at) SELECT mailbox, ?2, uid, ?3 "
    "FROM inbox_entries WHERE mailbox = ?1";
constexpr std::string_view kMoveAllKeywords =
    "UPDATE inbox_keywords SET mailbox = ?2 WHERE mailbox = ?1";
constexpr std::string_view kMoveAllEntries =
    "UPDATE inbox_entries SET mailbox = ?2, modseq = 1 WHERE mailbox = ?1";
constexpr std::string_view kTakeOverUids =
    "UPDATE inbox_mailboxes SET uid_next = ?2, highest_modseq = 1 WHERE id = ?1";

}  // namespace

Result<std::unique_ptr<InboxWriter>> InboxWriter::create(Database& db, ContentLog& content,
                                                         const Clock& clock) {
  StatementCache st;
  auto added = st.add(db, {kSavepoint,
                           kRollbackToSavepoint,
                           kReleaseSavepoint,
                           kInsertAccount,
                           kAccountExists,
                           kTouchAccount,
                           kDeleteAccountEntries,
                           kDeleteAccountTombstones,
                           kDeleteAccountMailboxes,
                           kDeleteAccount,
                           kDeleteAccountKeys,
                           kNextUidValidity,
                           kInsertMailbox,
                           kFindMailbox,
                           kMailboxById,
                           kDeleteMailboxEntries,
                           kDeleteMailboxTombstones,
                           kDeleteMailbox,
                           kMailboxFamily,
                           kRenameMailbox,
                           kSetSubscribed,
                           kBumpModseq,
                           kTombstoneAll,
                           kMoveAllKeywords,
                           kMoveAllEntries,
                           kTakeOverUids});
  if (added) added = add_message_statements(db, st);
  if (!added) return added.error();
  return std::unique_ptr<InboxWriter>(new InboxWriter(db, content, clock, std::move(st)));
}

InboxWriter::InboxWriter(Database& db, ContentLog& content, const Clock& clock, StatementCache st)
    : db_(db), content_(content), clock_(clock), st_(std::move(st)) {}

Result<bool> InboxWriter::account_exists(AccountId id) {
  auto found =
      st_[kAccountExists].bind(1, id).one_row(Errc::not_found, [](Statement&) { return true; });
  if (!found && found.error() == Errc::not_found) return false;
  return found;
}

Result<InboxAccount> InboxWriter::create_account(const NewInboxAccount& a) {
  auto account = st_[kInsertAccount]
                     .bind(1, a.user)
                     .bind(2, a.address)
                     .bind(3, a.password_hash)
                     .bind(4, to_unix_ms(clock_.now()))
                     .bind(5, static_cast<std::int64_t>(a.retention.count()))
                     .bind(6, static_cast<std::int64_t>(a.quota_bytes))
                     .bind(7, std::int64_t{a.catch_all})
                     .one_row(Errc::internal, read_inbox_account);
  if (!account) return account;
  if (auto inbox = insert_mailbox(account->id, "INBOX"); !inbox) return inbox.error();
  return account;
}

Result<void> InboxWriter::delete_account(AccountId id) {
  auto exists = account_exists(id);
  if (!exists) return exists.error();
  if (!*exists) return Errc::not_found;
  if (auto r = delete_mailboxes(kDeleteAccountEntries, kDeleteAccountTombstones,
                                kDeleteAccountMailboxes, id);
      !r)
    return r;
  if (auto r = st_[kDeleteAccountKeys].bind(1, id).run(); !r) return r;
  return st_[kDeleteAccount].bind(1, id).run();
}

Result<void> InboxWriter::delete_mailboxes(std::string_view entries_sql,
                                           std::string_view tombstones_sql,
                                           std::string_view mailboxes_sql, std::int64_t key) {
  // Entries first: their trigger finds the account through the mailbox row.
  for (auto sql : {entries_sql, tombstones_sql, mailboxes_sql}) {
    if (auto r = st_[sql].bind(1, key).run(); !r) return r;
  }
  return {};
}

Result<void> InboxWriter::touch_account(AccountId id, SystemTime now) {
  if (auto r = st_[kTouchAccount].bind(1, id).bind(2, to_unix_ms(now)).run(); !r) return r;
  if (db_.changes() == 0) return Errc::not_found;
  return {};
}

Result<Mailbox> InboxWriter::insert_mailbox(AccountId account, const std::string& name) {
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  auto validity =
      st_[kNextUidValidity].bind(1, seconds).one_row(Errc::internal, [](Statement& row) {
        return row.column_int(0);
      });
  if (!validity) return validity.error();
  // INBOX is always spelt so, however it was asked for.
  auto stored_name = is_inbox_name(name) ? std::string("INBOX") : name;
  auto key = mailbox_key(name);
  return st_[kInsertMailbox]
      .bind(1, account)
      .bind(2, stored_name)
      .bind(3, key)
      .bind(4, *validity)
      .one_row(Errc::internal, read_mailbox);
}

Result<Mailbox> InboxWriter::find_mailbox(AccountId account, const std::string& name) {
  auto key = mailbox_key(name);
  return st_[kFindMailbox].bind(1, account).bind(2, key).one_row(Errc::not_found, read_mailbox);
}

Result<Mailbox> InboxWriter::mailbox_by_id(MailboxId id) {
  return st_[kMailboxById].bind(1, id).one_row(Errc::not_found, read_mailbox);
}

Result<std::int64_t> InboxWriter::next_modseq(MailboxId mailbox) {
  return st_[kBumpModseq].bind(1, mailbox).one_row(Errc::not_found, [](Statement& row) {
    return row.column_int(0);
  });
}

Result<Mailbox> InboxWriter::create_mailbox(AccountId account, const std::string& name) {
  if (!valid_mailbox_name(name)) return Errc::invalid_argument;
  auto exists = account_exists(account);
  if (!exists) return exists.error();
  if (!*exists) return Errc::not_found;
  return insert_mailbox(account, name);
}

Result<void> InboxWriter::delete_mailbox(AccountId account, const std::string& name) {
  if (is_inbox_name(name)) return Errc::invalid_argument;
  auto mailbox = find_mailbox(account, name);
  if (!mailbox) return mailbox.error();
  return delete_mailboxes(kDeleteMailboxEntries, kDeleteMailboxTombstones, kDeleteMailbox,
                          mailbox->id);
}

Result<void> InboxWriter::rename_mailbox(AccountId account, const std::string& from,
                                         const std::string& to) {
  if (!valid_mailbox_name(to)) return Errc::invalid_argument;
  auto source = find_mailbox(account, from);
  if (!source) return source.error();
  if (is_inbox_name(to)) return Errc::conflict;  // INBOX always exists
  if (is_inbox_name(from)) {
    // RFC 3501 §6.3.5: the entries move to a new mailbox, INBOX stays, empty
    // (and those below INBOX stay where they are).
    auto target = insert_mailbox(account, to);
    if (!target) return target.error();
    auto modseq = next_modseq(source->id);
    if (!modseq) return modseq.error();
    if (auto r = st_[kTombstoneAll]
                     .bind(1, source->id)
                     .bind(2, *modseq)
                     .bind(3, to_unix_ms(clock_.now()))
                     .run();
        !r)
      return r;
    for (auto sql : {kMoveAllKeywords, kMoveAllEntries}) {
      if (auto r = st_[sql].bind(1, source->id).bind(2, target->id).run(); !r) return r;
    }
    return st_[kTakeOverUids].bind(1, target->id).bind(2, source->uid_next).run();
  }
  // A mailbox cannot move below itself.
  if (to.starts_with(source->name + "/")) return Errc::invalid_argument;
  struct Renamed {
    std::int64_t id;
    std::string name;
  };
  std::vector<Renamed> family;
  if (auto r = st_[kMailboxFamily]
                   .bind(1, account)
                   .bind(2, source->name)
                   .each_row([&](const Statement& row) {
                     family.push_back(
                         {row.column_int(0), to + row.column_text(1).substr(source->name.size())});
                   });
      !r)
    return r;
  for (const auto& m : family) {
    auto taken = find_mailbox(account, m.name);
    if (taken) {
      bool ours = std::any_of(family.begin(), family.end(),
                              [&](const Renamed& r) { return r.id == taken->id; });
      if (!ours) return Errc::conflict;
    } else if (taken.error() != Errc::not_found) {
      return taken.error();
    }
  }
  // Shortest first: a new name may be the old name of one renamed later
  // ("a/b" -> "a" with "a/b/b" -> "a/b"), never of one renamed before.
  for (const auto& m : family) {
    if (auto r =
            st_[kRenameMailbox].bind(1, m.id).bind(2, m.name).bind(3, mailbox_key(m.name)).run();
        !r)
      return r;
  }
  return {};
}

Result<void> InboxWriter::set_subscribed(AccountId account, const std::string& name,
                                         bool subscribed) {
  auto key = mailbox_key(name);
  if (auto r =
          st_[kSetSubscribed].bind(1, account).bind(2, key).bind(3, std::int64_t{subscribed}).run();
      !r)
    return r;
  if (db_.changes() == 0) return Errc::not_found;
  return {};
}

}  // namespace postern::store::sqlite
