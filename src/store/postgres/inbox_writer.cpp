#include "store/postgres/inbox_writer.h"

#include <algorithm>

#include "store/group_commit.h"
#include "store/postgres/inbox_rows.h"

namespace postern::store::postgres {
namespace {

// A UIDVALIDITY above every one handed out, and at least the time in
// seconds, so that it also stays above those of a database restored from an
// older copy. (uint32 seconds last until 2106.) The row is locked until the
// transaction ends: nodes creating mailboxes at once take turns.
constexpr const char* kInsertMailbox =
    "WITH v AS (UPDATE inbox_state SET last_uid_validity = greatest(last_uid_validity + 1, $4) "
    "WHERE id = 1 RETURNING last_uid_validity) "
    "INSERT INTO inbox_mailboxes(account, name, name_key, uid_validity) "
    "SELECT $1, $2, $3, last_uid_validity FROM v ON CONFLICT DO NOTHING "
    "RETURNING " POSTERN_PG_INBOX_MAILBOX_COLUMNS;

}  // namespace

Result<Rows> InboxWriter::query(std::string_view sql, const Params& params) {
  auto rows = c_.query(sql, params);
  if (!rows && !is_storage_failure(rows.error())) return error_code(Errc::storage_unavailable);
  return rows;
}

Result<InboxAccount> InboxWriter::create_account(const NewInboxAccount& a) {
  // ON CONFLICT: a user or address taken, by this batch or by another node
  // (which this statement waits for), inserts nothing.
  auto rows = query(
      "INSERT INTO inbox_accounts(user_name, address, password_hash, created_at, last_used_at, "
      "retention_s, quota_bytes, catch_all) VALUES ($1, $2, $3, postern_ts($4), postern_ts($4), "
      "$5, $6, $7) ON CONFLICT DO NOTHING RETURNING " POSTERN_PG_INBOX_ACCOUNT_COLUMNS,
      Params()
          .text(a.user)
          .text(a.address)
          .text(a.password_hash)
          .integer(to_unix_ms(clock_.now()))
          .integer(static_cast<std::int64_t>(a.retention.count()))
          .integer(static_cast<std::int64_t>(a.quota_bytes))
          .text(a.catch_all ? "t" : "f"));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::conflict;
  auto account = read_inbox_account(*rows, 0);
  if (auto inbox = insert_mailbox(account.id, "INBOX"); !inbox) {
    // A new account has no mailbox yet: a conflict here is not one.
    return inbox.error() == Errc::conflict ? error_code(Errc::storage_unavailable) : inbox.error();
  }
  return account;
}

Result<void> InboxWriter::lock_account(AccountId id) {
  auto rows = query("SELECT 1 FROM inbox_accounts WHERE id = $1 FOR UPDATE", Params().integer(id));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  return {};
}

Result<void> InboxWriter::delete_account(AccountId id) {
  // Mailboxes first, then the account: the order every operation locks in.
  auto boxes = query("SELECT id FROM inbox_mailboxes WHERE account = $1 ORDER BY id FOR UPDATE",
                     Params().integer(id));
  if (!boxes) return boxes.error();
  if (auto r = lock_account(id); !r) return r;
  // Entries first: their trigger finds the account through the mailbox
  // row. Keys bound to the account go with it, in the same transaction:
  // none is left that would send into an account that is gone (a key being
  // made for it meanwhile waits for the account's lock, then finds it gone).
  for (const char* sql :
       {"DELETE FROM inbox_entries WHERE mailbox IN (SELECT id FROM inbox_mailboxes WHERE "
        "account = $1)",
        "DELETE FROM inbox_expunged WHERE mailbox IN (SELECT id FROM inbox_mailboxes WHERE "
        "account = $1)",
        "DELETE FROM inbox_mailboxes WHERE account = $1",
        "DELETE FROM api_keys WHERE catch_account = $1",
        "DELETE FROM inbox_accounts WHERE id = $1"}) {
    defer(sql, Params().integer(id));
  }
  return {};
}

Result<void> InboxWriter::touch_account(AccountId id, SystemTime now) {
  auto rows = query(
      "UPDATE inbox_accounts SET last_used_at = greatest(last_used_at, postern_ts($2)) "
      "WHERE id = $1",
      Params().integer(id).integer(to_unix_ms(now)));
  if (!rows) return rows.error();
  if (rows->affected() == 0) return Errc::not_found;
  return {};
}

Result<Mailbox> InboxWriter::insert_mailbox(AccountId account, const std::string& name) {
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  // INBOX is always spelt so, however it was asked for.
  auto rows = query(kInsertMailbox, Params()
                                        .integer(account)
                                        .text(is_inbox_name(name) ? "INBOX" : name)
                                        .text(mailbox_key(name))
                                        .integer(seconds));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::conflict;
  return read_mailbox(*rows, 0);
}

Result<Mailbox> InboxWriter::lock_mailbox(AccountId account, const std::string& name) {
  auto rows = query("SELECT " POSTERN_PG_INBOX_MAILBOX_COLUMNS
                    " FROM inbox_mailboxes WHERE account = $1 AND name_key = $2 FOR UPDATE",
                    Params().integer(account).text(mailbox_key(name)));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  return read_mailbox(*rows, 0);
}

Result<Mailbox> InboxWriter::lock_mailbox_by_id(MailboxId id) {
  auto rows = query("SELECT " POSTERN_PG_INBOX_MAILBOX_COLUMNS
                    " FROM inbox_mailboxes WHERE id = $1 FOR UPDATE",
                    Params().integer(id));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  return read_mailbox(*rows, 0);
}

Result<Mailbox> InboxWriter::create_mailbox(AccountId account, const std::string& name) {
  if (!valid_mailbox_name(name)) return Errc::invalid_argument;
  // KEY SHARE: the account cannot be deleted (by another node) until this
  // transaction ends, which would leave the new mailbox behind it.
  auto rows =
      query("SELECT 1 FROM inbox_accounts WHERE id = $1 FOR KEY SHARE", Params().integer(account));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  return insert_mailbox(account, name);
}

Result<void> InboxWriter::delete_mailbox(AccountId account, const std::string& name) {
  if (is_inbox_name(name)) return Errc::invalid_argument;
  auto mailbox = lock_mailbox(account, name);
  if (!mailbox) return mailbox.error();
  for (const char* sql : {"DELETE FROM inbox_entries WHERE mailbox = $1",
                          "DELETE FROM inbox_expunged WHERE mailbox = $1",
                          "DELETE FROM inbox_mailboxes WHERE id = $1"}) {
    defer(sql, Params().integer(mailbox->id));
  }
  return {};
}

Result<void> InboxWriter::rename_mailbox(AccountId account, const std::string& from,
                                         const std::string& to) {
  if (!valid_mailbox_name(to)) return Errc::invalid_argument;
  auto source = lock_mailbox(account, from);
  if (!source) return source.error();
  if (is_inbox_name(to)) return Errc::conflict;  // INBOX always exists
  if (is_inbox_name(from)) {
    // RFC 3501 §6.3.5: the entries move to a new mailbox (whose UIDVALIDITY
    // is new) keeping their UIDs, INBOX stays, empty, and records them as
    // expunged (those below INBOX stay where they are).
    auto target = insert_mailbox(account, to);
    if (!target) return target.error();
    defer(
        "WITH m AS (UPDATE inbox_mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = $1 "
        "RETURNING highest_modseq) INSERT INTO inbox_expunged(mailbox, modseq, uid, at) "
        "SELECT $1, m.highest_modseq, e.uid, postern_ts($2) FROM m, inbox_entries e "
        "WHERE e.mailbox = $1",
        Params().integer(source->id).integer(to_unix_ms(clock_.now())));
    defer("UPDATE inbox_entries SET mailbox = $2, modseq = 1 WHERE mailbox = $1",
          Params().integer(source->id).integer(target->id));
    defer("UPDATE inbox_mailboxes SET uid_next = $2, highest_modseq = 1 WHERE id = $1",
          Params().integer(target->id).integer(source->uid_next));
    return {};
  }
  // A mailbox cannot move below itself.
  if (to.starts_with(source->name + "/")) return Errc::invalid_argument;
  // The mailbox and those below it ('/' levels), shortest name first.
  auto family = query(
      "SELECT id, name FROM inbox_mailboxes WHERE account = $1 AND (name_key = $2 OR "
      "left(name, length($2) + 1) = $2 || '/') ORDER BY length(name), id FOR UPDATE",
      Params().integer(account).text(source->name));
  if (!family) return family.error();
  std::vector<std::int64_t> ids;
  std::vector<std::string> names;
  for (int i = 0; i < family->size(); ++i) {
    ids.push_back(family->integer(i, 0));
    names.push_back(to + family->text(i, 1).substr(source->name.size()));
  }
  std::vector<std::string> keys;
  for (const auto& n : names) keys.push_back(mailbox_key(n));
  auto taken =
      query("SELECT id FROM inbox_mailboxes WHERE account = $1 AND name_key = ANY($2::text[])",
            Params().integer(account).text(text_array(keys)));
  if (!taken) return taken.error();
  for (int i = 0; i < taken->size(); ++i) {
    if (std::find(ids.begin(), ids.end(), taken->integer(i, 0)) == ids.end()) return Errc::conflict;
  }
  // Shortest first: a new name may be the old name of one renamed later
  // ("a/b" -> "a" with "a/b/b" -> "a/b"), never of one renamed before.
  for (std::size_t i = 0; i < ids.size(); ++i) {
    defer("UPDATE inbox_mailboxes SET name = $2, name_key = $3 WHERE id = $1",
          Params().integer(ids[i]).text(names[i]).text(keys[i]));
  }
  return {};
}

Result<void> InboxWriter::set_subscribed(AccountId account, const std::string& name,
                                         bool subscribed) {
  auto rows =
      query("UPDATE inbox_mailboxes SET subscribed = $3 WHERE account = $1 AND name_key = $2",
            Params().integer(account).text(mailbox_key(name)).text(subscribed ? "t" : "f"));
  if (!rows) return rows.error();
  if (rows->affected() == 0) return Errc::not_found;
  return {};
}

}  // namespace postern::store::postgres
