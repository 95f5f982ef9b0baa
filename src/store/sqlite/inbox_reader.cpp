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

#define POSTERN_INBOX_SUMMARY_COLUMNS                                                       \
  "b.from_text, b.to_text, b.cc_text, b.subject, b.message_id, b.date, b.has_attachments, " \
  "b.envelope, b.body_structure, b.body"
#define POSTERN_INBOX_E_ENTRY_COLUMNS "e.uid, e.flags, e.modseq, e.size, e.internal_date, e.blob"

constexpr std::string_view kBegin = "BEGIN";
constexpr std::string_view kEnd = "COMMIT";
constexpr std::string_view kForgottenBelow =
    "SELECT highest_modseq, forgotten_below FROM inbox_mailboxes WHERE id = ?1";
constexpr std::string_view kEntries =
    "SELECT " POSTERN_INBOX_ENTRY_COLUMNS " FROM inbox_entries WHERE mailbox = ?1 ORDER BY uid";
constexpr std::string_view kKeywords =
    "SELECT uid, keyword FROM inbox_keywords WHERE mailbox = ?1 AND uid BETWEEN ?2 AND ?3 "
    "ORDER BY uid, keyword";
// By modseq: sessions ask after every command for what changed since the
// last one, which is little; the planner, left alone, reads the whole
// mailbox in UID order instead (16 ms for 100,000 entries per ask).
constexpr std::string_view kChanged =
    "SELECT " POSTERN_INBOX_ENTRY_COLUMNS
    " FROM inbox_entries INDEXED BY inbox_entries_by_modseq WHERE mailbox = ?1 AND modseq > ?2 "
    "ORDER BY uid";
constexpr std::string_view kExpunged =
    "SELECT uid FROM inbox_expunged WHERE mailbox = ?1 AND modseq > ?2 ORDER BY uid";
// Entries with summaries: UIDs ?2 to ?3, of which the caller keeps those
// asked for; with their text or without.
#define POSTERN_INBOX_SUMMARIES(text, texts)                                           \
  "SELECT " POSTERN_INBOX_E_ENTRY_COLUMNS ", " POSTERN_INBOX_SUMMARY_COLUMNS ", " text \
  " FROM inbox_entries e JOIN inbox_blobs b ON b.id = e.blob " texts                   \
  " WHERE e.mailbox = ?1 AND "                                                         \
  "e.uid BETWEEN ?2 AND ?3 ORDER BY e.uid"
constexpr std::string_view kSummaries =
    POSTERN_INBOX_SUMMARIES("t.text", "LEFT JOIN inbox_blob_texts t ON t.blob = e.blob");
constexpr std::string_view kSummariesWithoutText = POSTERN_INBOX_SUMMARIES("''", "");
// Newest first. Text criteria are LIKE patterns (any case, for ASCII), '' for none.
constexpr std::string_view kSearch =
    "SELECT " POSTERN_INBOX_E_ENTRY_COLUMNS ", " POSTERN_INBOX_SUMMARY_COLUMNS
    ", t.text FROM inbox_entries e JOIN inbox_blobs b ON b.id = e.blob LEFT JOIN inbox_blob_texts "
    "t ON t.blob = e.blob WHERE e.mailbox = ?1 AND e.uid < ?2"
    " AND (?3 = '' OR b.from_text LIKE ?3 ESCAPE '\\')"
    " AND (?4 = '' OR b.to_text LIKE ?4 ESCAPE '\\' OR b.cc_text LIKE ?4 ESCAPE '\\')"
    " AND (?5 = '' OR b.subject LIKE ?5 ESCAPE '\\')"
    " AND (?6 = '' OR t.text LIKE ?6 ESCAPE '\\' OR b.subject LIKE ?6 ESCAPE '\\')"
    " AND (?7 IS NULL OR e.internal_date >= ?7) AND (?8 IS NULL OR e.internal_date < ?8)"
    " AND (?9 IS NULL OR (e.flags & 1 <> 0) = ?9)"
    " ORDER BY e.uid DESC LIMIT ?10";
constexpr std::string_view kBlob =
    "SELECT log_segment, log_offset, log_length, log_crc32c FROM inbox_blobs WHERE id = ?1";
constexpr std::string_view kCaught =
    "SELECT m.account, e.mailbox, " POSTERN_INBOX_E_ENTRY_COLUMNS
    " FROM inbox_blobs b JOIN inbox_entries e ON e.blob = b.id JOIN inbox_mailboxes m ON m.id = "
    "e.mailbox WHERE b.source = ?1 ORDER BY e.mailbox, e.uid LIMIT 1";
constexpr std::string_view kSegments = "SELECT DISTINCT log_segment FROM inbox_blobs";

// Beyond this many UIDs asked for, entries_with_summary reads their whole
// UID range in one pass instead of one lookup each.
constexpr std::size_t kPointLookups = 32;

BlobSummary read_summary(const Statement& row, int first) {
  BlobSummary s;
  s.from = row.column_text(first);
  s.to = row.column_text(first + 1);
  s.cc = row.column_text(first + 2);
  s.subject = row.column_text(first + 3);
  s.message_id = row.column_text(first + 4);
  if (!row.column_is_null(first + 5)) s.date = from_unix_ms(row.column_int(first + 5));
  s.has_attachments = row.column_int(first + 6) != 0;
  s.envelope = row.column_text(first + 7);
  s.body_structure = row.column_text(first + 8);
  s.body = row.column_text(first + 9);
  s.text = row.column_text(first + 10);  // '' when not asked for
  return s;
}

MailEntry& itself(MailEntry& e) { return e; }
MailEntry& summarised(EntryWithSummary& e) { return e.entry; }

}  // namespace

Result<std::unique_ptr<InboxReader>> InboxReader::open(const std::string& path,
                                                       const ContentLog& content) {
  auto db = open_reader_connection(path);
  if (!db) return db.error();
  StatementCache st;
  auto added = st.add(**db, {kAccount,
                             kAccountByUser,
                             kAccountByAddress,
                             kListAccounts,
                             kListMailboxes,
                             kMailbox,
                             kMailboxById,
                             kMailboxCounts,
                             kBegin,
                             kEnd,
                             kForgottenBelow,
                             kEntries,
                             kKeywords,
                             kChanged,
                             kExpunged,
                             kSummaries,
                             kSummariesWithoutText,
                             kSearch,
                             kBlob,
                             kCaught,
                             kSegments});
  if (!added) return added.error();
  return std::unique_ptr<InboxReader>(new InboxReader(std::move(*db), content, std::move(st)));
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

template <class T, class Read>
Result<T> InboxReader::in_snapshot(Read&& read) {
  if (auto r = st_[kBegin].run(); !r) return r.error();
  Result<T> out = read();
  (void)st_[kEnd].run();
  return out;
}

template <class E, class EntryOf>
Result<void> InboxReader::add_keywords(MailboxId mailbox, std::vector<E>& entries,
                                       EntryOf&& entry_of) {
  if (entries.empty()) return {};
  auto& s = st_[kKeywords];
  if (entries.size() <= kPointLookups) {
    for (auto& e : entries) {
      auto& entry = entry_of(e);
      s.bind(1, mailbox).bind(2, entry.uid).bind(3, entry.uid);
      if (auto r = s.each_row(
              [&](const Statement& row) { entry.flags.keywords.push_back(row.column_text(1)); });
          !r)
        return r;
    }
    return {};
  }
  // One pass over the keywords of the entries' UID range, both ascending
  // by UID (keywords of UIDs in the range but not among the entries are
  // passed over).
  s.bind(1, mailbox).bind(2, entry_of(entries.front()).uid).bind(3, entry_of(entries.back()).uid);
  std::size_t at = 0;
  return s.each_row([&](const Statement& row) {
    auto uid = static_cast<std::uint32_t>(row.column_int(0));
    while (at < entries.size() && entry_of(entries[at]).uid < uid) ++at;
    if (at < entries.size() && entry_of(entries[at]).uid == uid)
      entry_of(entries[at]).flags.keywords.push_back(row.column_text(1));
  });
}

Result<std::vector<MailEntry>> InboxReader::entries(MailboxId mailbox) {
  return in_snapshot<std::vector<MailEntry>>([&]() -> Result<std::vector<MailEntry>> {
    if (auto m = mailbox_by_id(mailbox); !m) return m.error();
    std::vector<MailEntry> out;
    if (auto r = st_[kEntries].bind(1, mailbox).each_row([&](const Statement& row) {
          out.push_back(read_entry(row));
        });
        !r)
      return r.error();
    if (auto r = add_keywords(mailbox, out, itself); !r) return r.error();
    return out;
  });
}

Result<MailboxChanges> InboxReader::changes_since(MailboxId mailbox, std::uint64_t modseq) {
  return in_snapshot<MailboxChanges>([&]() -> Result<MailboxChanges> {
    MailboxChanges out;
    auto since = static_cast<std::int64_t>(modseq);
    auto known =
        st_[kForgottenBelow].bind(1, mailbox).one_row(Errc::not_found, [&](Statement& row) {
          out.highest_modseq = static_cast<std::uint64_t>(row.column_int(0));
          // Expunges up to forgotten_below are no longer told.
          out.complete = since >= row.column_int(1);
          return true;
        });
    if (!known) return known.error();
    if (auto r = st_[kChanged].bind(1, mailbox).bind(2, since).each_row([&](const Statement& row) {
          out.changed.push_back(read_entry(row));
        });
        !r)
      return r.error();
    if (auto r = add_keywords(mailbox, out.changed, itself); !r) return r.error();
    if (auto r = st_[kExpunged].bind(1, mailbox).bind(2, since).each_row([&](const Statement& row) {
          out.expunged.push_back(static_cast<std::uint32_t>(row.column_int(0)));
        });
        !r)
      return r.error();
    return out;
  });
}

Result<std::vector<EntryWithSummary>> InboxReader::entries_with_summary(
    MailboxId mailbox, const std::vector<std::uint32_t>& asked, bool text) {
  auto uids = asked;
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  // Ranges of UIDs to read: each UID alone when few are asked for, else
  // one range over them all (the rows lie in UID order).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
  if (uids.size() <= kPointLookups) {
    for (auto uid : uids) ranges.emplace_back(uid, uid);
  } else {
    ranges.emplace_back(uids.front(), uids.back());
  }
  return in_snapshot<std::vector<EntryWithSummary>>([&]() -> Result<std::vector<EntryWithSummary>> {
    std::vector<EntryWithSummary> out;
    out.reserve(uids.size());
    for (auto [low, high] : ranges) {
      std::size_t at = 0;  // in uids
      auto& s = st_[text ? kSummaries : kSummariesWithoutText];
      s.bind(1, mailbox).bind(2, low).bind(3, high);
      if (auto r = s.each_row([&](const Statement& row) {
            auto uid = static_cast<std::uint32_t>(row.column_int(0));
            while (at < uids.size() && uids[at] < uid) ++at;
            if (at == uids.size() || uids[at] != uid) return;  // in the range, not asked for
            out.push_back({read_entry(row), read_summary(row, 6)});
          });
          !r)
        return r.error();
    }
    if (auto r = add_keywords(mailbox, out, summarised); !r) return r.error();
    return out;
  });
}

Result<std::vector<EntryWithSummary>> InboxReader::search(MailboxId mailbox, const InboxQuery& q) {
  auto from = contains_pattern(q.from);
  auto to = contains_pattern(q.to);
  auto subject = contains_pattern(q.subject);
  auto text = contains_pattern(q.text);
  return in_snapshot<std::vector<EntryWithSummary>>([&]() -> Result<std::vector<EntryWithSummary>> {
    if (auto m = mailbox_by_id(mailbox); !m) return m.error();
    auto& s = st_[kSearch];
    s.bind(1, mailbox)
        .bind(2, q.before_uid ? std::int64_t{*q.before_uid} : INT64_MAX)
        .bind(3, from)
        .bind(4, to)
        .bind(5, subject)
        .bind(6, text)
        .bind(10, static_cast<std::int64_t>(q.limit));
    if (q.since) s.bind(7, to_unix_ms(*q.since));
    if (q.until) s.bind(8, to_unix_ms(*q.until));
    if (q.seen) s.bind(9, std::int64_t{*q.seen});
    std::vector<EntryWithSummary> out;
    if (auto r = s.each_row([&](const Statement& row) {
          out.push_back({read_entry(row), read_summary(row, 6)});
        });
        !r)
      return r.error();
    if (auto r = add_keywords(mailbox, out, summarised); !r) return r.error();
    return out;
  });
}

Result<std::string> InboxReader::blob_content(BlobId blob) {
  ContentLog::ReadPin pin(content_);  // the row's reference stays readable
  return st_[kBlob].bind(1, blob).one_row(Errc::not_found, [&](Statement& row) {
    return content_.read({static_cast<std::uint32_t>(row.column_int(0)),
                          static_cast<std::uint64_t>(row.column_int(1)),
                          static_cast<std::uint64_t>(row.column_int(2)),
                          static_cast<std::uint32_t>(row.column_int(3))});
  });
}

Result<std::pair<AccountId, MailEntry>> InboxReader::find_caught(MessageId source) {
  return in_snapshot<std::pair<AccountId, MailEntry>>(
      [&]() -> Result<std::pair<AccountId, MailEntry>> {
        MailboxId mailbox = 0;
        auto found = st_[kCaught]
                         .bind(1, static_cast<std::int64_t>(source.value()))
                         .one_row(Errc::not_found, [&](Statement& row) {
                           mailbox = row.column_int(1);
                           return std::pair{row.column_int(0), read_entry(row, 2)};
                         });
        if (!found) return found;
        std::vector<MailEntry> one{std::move(found->second)};
        if (auto r = add_keywords(mailbox, one, itself); !r) return r.error();
        return std::pair{found->first, std::move(one.front())};
      });
}

Result<std::set<std::uint32_t>> InboxReader::referenced_content_segments() {
  std::set<std::uint32_t> out;
  if (auto r = st_[kSegments].each_row(
          [&](const Statement& row) { out.insert(static_cast<std::uint32_t>(row.column_int(0))); });
      !r)
    return r.error();
  return out;
}

}  // namespace postern::store::sqlite
