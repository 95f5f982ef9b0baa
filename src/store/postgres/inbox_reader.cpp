#include "store/postgres/inbox_reader.h"

#include <limits>

#include "store/postgres/inbox_rows.h"

namespace postern::store::postgres {
namespace {

#define POSTERN_PG_INBOX_SUMMARY_COLUMNS                                             \
  "b.from_text, b.to_text, b.cc_text, b.subject, b.message_id, postern_ms(b.date), " \
  "b.has_attachments, b.envelope, b.body_structure, b.body"

// The columns after an entry's (7) in summary reads.
constexpr int kSummaryFirst = 7;

BlobSummary read_summary(const Rows& r, int i) {
  const int first = kSummaryFirst;
  BlobSummary s;
  s.from = r.text(i, first);
  s.to = r.text(i, first + 1);
  s.cc = r.text(i, first + 2);
  s.subject = r.text(i, first + 3);
  s.message_id = r.text(i, first + 4);
  if (!r.null(i, first + 5)) s.date = from_unix_ms(r.integer(i, first + 5));
  s.has_attachments = boolean(r, i, first + 6);
  s.envelope = r.text(i, first + 7);
  s.body_structure = r.text(i, first + 8);
  s.body = r.text(i, first + 9);
  s.text = r.text(i, first + 10);  // '' when not asked for
  return s;
}

std::vector<EntryWithSummary> summaries_of(const Rows& rows) {
  std::vector<EntryWithSummary> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) out.push_back({read_entry(rows, i), read_summary(rows, i)});
  return out;
}

const char* flag(std::optional<bool> b) {
  if (!b) return nullptr;
  return *b ? "t" : "f";
}

}  // namespace

Result<InboxAccount> InboxReader::one_account(const char* sql, const Params& params) {
  auto rows = c_.query(sql, params);
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  return read_inbox_account(*rows, 0);
}

Result<Mailbox> InboxReader::one_mailbox(const char* sql, const Params& params) {
  auto rows = c_.query(sql, params);
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  return read_mailbox(*rows, 0);
}

Result<InboxAccount> InboxReader::account(AccountId id) {
  return one_account("SELECT " POSTERN_PG_INBOX_ACCOUNT_COLUMNS
                     " FROM inbox_accounts WHERE id = $1",
                     Params().integer(id));
}

Result<InboxAccount> InboxReader::account_by_user(const std::string& user) {
  return one_account("SELECT " POSTERN_PG_INBOX_ACCOUNT_COLUMNS
                     " FROM inbox_accounts WHERE user_name = $1",
                     Params().text(user));
}

Result<InboxAccount> InboxReader::account_by_address(const std::string& address) {
  return one_account("SELECT " POSTERN_PG_INBOX_ACCOUNT_COLUMNS
                     " FROM inbox_accounts WHERE lower(address) = lower($1)",
                     Params().text(address));
}

Result<std::vector<InboxAccount>> InboxReader::list_accounts(AccountId before, std::size_t limit) {
  auto rows = c_.query("SELECT " POSTERN_PG_INBOX_ACCOUNT_COLUMNS
                       " FROM inbox_accounts WHERE id < $1 ORDER BY id DESC LIMIT $2",
                       Params()
                           .integer(before > 0 ? before : std::numeric_limits<std::int64_t>::max())
                           .integer(static_cast<std::int64_t>(limit)));
  if (!rows) return rows.error();
  std::vector<InboxAccount> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(read_inbox_account(*rows, i));
  return out;
}

Result<std::vector<Mailbox>> InboxReader::list_mailboxes(AccountId account) {
  // INBOX first, then by name (byte by byte: the column's collation is "C").
  auto rows = c_.query("SELECT " POSTERN_PG_INBOX_MAILBOX_COLUMNS
                       " FROM inbox_mailboxes WHERE account = $1 ORDER BY name_key <> 'INBOX', "
                       "name",
                       Params().integer(account));
  if (!rows) return rows.error();
  std::vector<Mailbox> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(read_mailbox(*rows, i));
  return out;
}

Result<Mailbox> InboxReader::mailbox(AccountId account, const std::string& name) {
  return one_mailbox("SELECT " POSTERN_PG_INBOX_MAILBOX_COLUMNS
                     " FROM inbox_mailboxes WHERE account = $1 AND name_key = $2",
                     Params().integer(account).text(mailbox_key(name)));
}

Result<Mailbox> InboxReader::mailbox_by_id(MailboxId id) {
  return one_mailbox("SELECT " POSTERN_PG_INBOX_MAILBOX_COLUMNS
                     " FROM inbox_mailboxes WHERE id = $1",
                     Params().integer(id));
}

Result<MailboxCounts> InboxReader::mailbox_counts(MailboxId mailbox) {
  // No row: no such mailbox (an empty one answers zeros).
  auto rows = c_.query(
      "SELECT count(e.uid), count(e.uid) FILTER (WHERE e.flags & 1 = 0), "
      "coalesce(sum(e.size), 0) FROM inbox_mailboxes m LEFT JOIN inbox_entries e ON "
      "e.mailbox = m.id WHERE m.id = $1 GROUP BY m.id",
      Params().integer(mailbox));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  return MailboxCounts{static_cast<std::uint32_t>(rows->integer(0, 0)),
                       static_cast<std::uint32_t>(rows->integer(0, 1)),
                       static_cast<std::uint64_t>(rows->integer(0, 2))};
}

Result<std::vector<MailEntry>> InboxReader::entries(MailboxId mailbox) {
  // The mailbox joined: no row at all when it is missing, one with a null
  // UID when it is empty.
  auto rows = c_.query("SELECT " POSTERN_PG_INBOX_ENTRY_COLUMNS
                       " FROM inbox_mailboxes m LEFT JOIN inbox_entries e ON e.mailbox = m.id "
                       "WHERE m.id = $1 ORDER BY e.uid",
                       Params().integer(mailbox));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  std::vector<MailEntry> out;
  for (int i = 0; i < rows->size(); ++i) {
    if (!rows->null(i, 0)) out.push_back(read_entry(*rows, i));
  }
  return out;
}

Result<MailboxChanges> InboxReader::changes_since(MailboxId mailbox, std::uint64_t modseq) {
  // One statement, so one snapshot: the mailbox's highest modseq, the
  // entries changed after `modseq` and the UIDs expunged after it agree.
  // Sessions ask after every command, so this is one round trip; the
  // first column tells the rows apart (0: the mailbox, with its highest
  // modseq and forgotten_below in the uid and flags places; 1: an entry;
  // 2: an expunged UID).
  auto rows = c_.query(
      "SELECT 0 AS kind, highest_modseq AS uid, forgotten_below, NULL::bigint, NULL::bigint, "
      "NULL::bigint, NULL::bigint, NULL::text FROM inbox_mailboxes WHERE id = $1 "
      "UNION ALL SELECT 1, " POSTERN_PG_INBOX_ENTRY_COLUMNS
      " FROM inbox_entries e WHERE e.mailbox = $1 AND e.modseq > $2 "
      "UNION ALL SELECT 2, uid, NULL, NULL, NULL, NULL, NULL, NULL FROM inbox_expunged "
      "WHERE mailbox = $1 AND modseq > $2 ORDER BY kind, uid",
      Params().integer(mailbox).integer(static_cast<std::int64_t>(modseq)));
  if (!rows) return rows.error();
  if (rows->size() == 0 || rows->integer(0, 0) != 0) return Errc::not_found;
  MailboxChanges out;
  out.highest_modseq = static_cast<std::uint64_t>(rows->integer(0, 1));
  // Expunges up to forgotten_below are no longer told.
  out.complete = static_cast<std::int64_t>(modseq) >= rows->integer(0, 2);
  for (int i = 1; i < rows->size(); ++i) {
    if (rows->integer(i, 0) == 1) {
      out.changed.push_back(read_entry(*rows, i, 1));
    } else {
      out.expunged.push_back(static_cast<std::uint32_t>(rows->integer(i, 1)));
    }
  }
  return out;
}

Result<std::vector<EntryWithSummary>> InboxReader::entries_with_summary(
    MailboxId mailbox, const std::vector<std::uint32_t>& uids, bool text) {
  auto rows = c_.query(
      std::string("SELECT " POSTERN_PG_INBOX_ENTRY_COLUMNS ", " POSTERN_PG_INBOX_SUMMARY_COLUMNS
                  ", ") +
          (text ? "t.text FROM inbox_entries e JOIN inbox_blobs b ON b.id = e.blob LEFT JOIN "
                  "inbox_blob_texts t ON t.blob = e.blob "
                : "'' FROM inbox_entries e JOIN inbox_blobs b ON b.id = e.blob ") +
          "WHERE e.mailbox = $1 AND e.uid = ANY($2::bigint[]) ORDER BY e.uid",
      Params().integer(mailbox).text(int_array(uids)));
  if (!rows) return rows.error();
  return summaries_of(*rows);
}

Result<std::vector<EntryWithSummary>> InboxReader::search(MailboxId mailbox, const InboxQuery& q) {
  if (auto m = mailbox_by_id(mailbox); !m) return m.error();
  // Newest first. Text criteria are ILIKE patterns ('' for none).
  Params params;
  params.integer(mailbox)
      .integer(q.before_uid ? std::int64_t{*q.before_uid}
                            : std::numeric_limits<std::int64_t>::max())
      .text(contains_pattern(q.from))
      .text(contains_pattern(q.to))
      .text(contains_pattern(q.subject))
      .text(contains_pattern(q.text));
  if (q.since) {
    params.integer(to_unix_ms(*q.since));
  } else {
    params.null();
  }
  if (q.until) {
    params.integer(to_unix_ms(*q.until));
  } else {
    params.null();
  }
  if (auto seen = flag(q.seen)) {
    params.text(seen);
  } else {
    params.null();
  }
  params.integer(static_cast<std::int64_t>(q.limit));
  auto rows =
      c_.query("SELECT " POSTERN_PG_INBOX_ENTRY_COLUMNS ", " POSTERN_PG_INBOX_SUMMARY_COLUMNS
               ", t.text FROM inbox_entries e JOIN inbox_blobs b ON b.id = e.blob LEFT JOIN "
               "inbox_blob_texts t ON t.blob = e.blob WHERE e.mailbox = $1 AND e.uid < $2"
               " AND ($3 = '' OR b.from_text ILIKE $3)"
               " AND ($4 = '' OR b.to_text ILIKE $4 OR b.cc_text ILIKE $4)"
               " AND ($5 = '' OR b.subject ILIKE $5)"
               " AND ($6 = '' OR t.text ILIKE $6 OR b.subject ILIKE $6)"
               " AND ($7::bigint IS NULL OR e.internal_date >= postern_ts($7))"
               " AND ($8::bigint IS NULL OR e.internal_date < postern_ts($8))"
               " AND ($9::boolean IS NULL OR (e.flags & 1 <> 0) = $9)"
               " ORDER BY e.uid DESC LIMIT $10",
               params);
  if (!rows) return rows.error();
  return summaries_of(*rows);
}

Result<std::string> InboxReader::blob_content(BlobId blob) {
  // Raw results: the bytes as they are, not hex.
  auto rows = c_.query_raw("SELECT content FROM inbox_blob_contents WHERE blob = $1",
                           Params().integer(blob));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  return rows->bytes(0, 0);
}

Result<std::pair<AccountId, MailEntry>> InboxReader::find_caught(MessageId source) {
  auto rows = c_.query("SELECT " POSTERN_PG_INBOX_ENTRY_COLUMNS
                       ", m.account FROM inbox_blobs b JOIN inbox_entries e ON e.blob = b.id "
                       "JOIN inbox_mailboxes m ON m.id = e.mailbox WHERE b.source = $1 "
                       "ORDER BY e.mailbox, e.uid LIMIT 1",
                       Params().integer(static_cast<std::int64_t>(source.value())));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  constexpr int kAccountColumn = 7;  // after the entry's
  return std::pair{rows->integer(0, kAccountColumn), read_entry(*rows, 0)};
}

}  // namespace postern::store::postgres
