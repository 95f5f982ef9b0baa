// The test inbox's message writes: InboxWriter's operations on entries.
#include <algorithm>
#include <map>

#include "store/sqlite/inbox_rows.h"
#include "store/sqlite/inbox_writer.h"

namespace postern::store::sqlite {
namespace {

constexpr std::string_view kAccountRoom =
    "SELECT quota_bytes, used_bytes FROM inbox_accounts WHERE id = ?1";
constexpr std::string_view kInsertBlob =
    "INSERT INTO inbox_blobs(size, source, log_segment, log_offset, log_length, log_crc32c, "
    "from_text, to_text, cc_text, subject, message_id, date, has_attachments, envelope, "
    "body_structure, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16) RETURNING id";
constexpr std::string_view kInsertBlobText =
    "INSERT INTO inbox_blob_texts(blob, text) VALUES (?1, ?2)";
// Takes `?2` UIDs and one modseq: answers the first UID, the modseq and the UIDVALIDITY.
constexpr std::string_view kTakeUids =
    "UPDATE inbox_mailboxes SET uid_next = uid_next + ?2, highest_modseq = highest_modseq + 1 "
    "WHERE id = ?1 RETURNING uid_next - ?2, highest_modseq, uid_validity";
constexpr std::string_view kInsertEntry =
    "INSERT INTO inbox_entries(mailbox, uid, blob, flags, modseq, internal_date, size) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kInsertKeyword =
    "INSERT OR IGNORE INTO inbox_keywords(mailbox, uid, keyword) VALUES (?1, ?2, ?3)";
constexpr std::string_view kDeleteKeyword =
    "DELETE FROM inbox_keywords WHERE mailbox = ?1 AND uid = ?2 AND keyword = ?3";
constexpr std::string_view kKeywordsOf =
    "SELECT keyword FROM inbox_keywords WHERE mailbox = ?1 AND uid = ?2 ORDER BY keyword";
constexpr std::string_view kUseAccount =
    "UPDATE inbox_accounts SET last_used_at = max(last_used_at, ?2) WHERE id = ?1";
constexpr std::string_view kEntry =
    "SELECT " POSTERN_INBOX_ENTRY_COLUMNS " FROM inbox_entries WHERE mailbox = ?1 AND uid = ?2";
// The flags of the stored entry as they are now, changed in SQL: two
// sessions that add different flags at once both keep theirs.
constexpr std::string_view kChangeFlags =
    "UPDATE inbox_entries SET flags = (flags | ?3) & ~?4 WHERE mailbox = ?1 AND uid = ?2 AND "
    "flags <> ((flags | ?3) & ~?4)";
constexpr std::string_view kSetEntryModseq =
    "UPDATE inbox_entries SET modseq = ?3 WHERE mailbox = ?1 AND uid = ?2 RETURNING flags";
constexpr std::string_view kDeletedUids =
    "SELECT uid FROM inbox_entries WHERE mailbox = ?1 AND flags & 8 <> 0 ORDER BY uid";
constexpr std::string_view kTombstone =
    "INSERT OR IGNORE INTO inbox_expunged(mailbox, modseq, uid, at) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kDeleteEntry =
    "DELETE FROM inbox_entries WHERE mailbox = ?1 AND uid = ?2";
constexpr std::string_view kUnusedAccounts =
    "SELECT id FROM inbox_accounts WHERE catch_all = 0 AND last_used_at + retention_s * 1000 < ?1 "
    "ORDER BY last_used_at LIMIT ?2";
constexpr std::string_view kDeleteAccountRow = "DELETE FROM inbox_accounts WHERE id = ?1";
constexpr std::string_view kRetentionCutoffs =
    "SELECT m.id, ?1 - a.retention_s * 1000 FROM inbox_mailboxes m JOIN inbox_accounts a ON "
    "a.id = m.account ORDER BY m.id";
constexpr std::string_view kOldEntries =
    "SELECT uid FROM inbox_entries WHERE mailbox = ?1 AND internal_date < ?2 "
    "ORDER BY internal_date LIMIT ?3";
constexpr std::string_view kForgetTombstones =
    "UPDATE inbox_mailboxes SET forgotten_below = max(forgotten_below, (SELECT max(modseq) FROM "
    "inbox_expunged WHERE mailbox = inbox_mailboxes.id AND at < ?1)) WHERE id IN (SELECT mailbox "
    "FROM inbox_expunged WHERE at < ?1)";
constexpr std::string_view kPruneTombstones = "DELETE FROM inbox_expunged WHERE at < ?1";

}  // namespace

Result<void> InboxWriter::add_message_statements(Database& db, StatementCache& st) {
  return st.add(
      db, {kAccountRoom,    kInsertBlob,       kInsertBlobText,   kTakeUids,   kInsertEntry,
           kInsertKeyword,  kDeleteKeyword,    kKeywordsOf,       kUseAccount, kEntry,
           kChangeFlags,    kSetEntryModseq,   kDeletedUids,      kTombstone,  kDeleteEntry,
           kUnusedAccounts, kDeleteAccountRow, kRetentionCutoffs, kOldEntries, kForgetTombstones,
           kPruneTombstones});
}

Result<bool> InboxWriter::has_room(AccountId account, std::uint64_t bytes) {
  return st_[kAccountRoom].bind(1, account).one_row(Errc::not_found, [&](Statement& row) {
    auto quota = static_cast<std::uint64_t>(row.column_int(0));
    auto used = static_cast<std::uint64_t>(row.column_int(1));
    return quota == 0 || (used <= quota && bytes <= quota - used);
  });
}

Result<std::vector<std::string>> InboxWriter::keywords_of(MailboxId mailbox, std::uint32_t uid) {
  std::vector<std::string> out;
  if (auto r = st_[kKeywordsOf]
                   .bind(1, mailbox)
                   .bind(2, std::int64_t{uid})
                   .each_row([&](const Statement& row) { out.push_back(row.column_text(0)); });
      !r)
    return r.error();
  return out;
}

Result<void> InboxWriter::insert_keywords(MailboxId mailbox, std::uint32_t uid,
                                          const std::vector<std::string>& keywords) {
  for (const auto& k : keywords) {
    if (auto r = st_[kInsertKeyword].bind(1, mailbox).bind(2, std::int64_t{uid}).bind(3, k).run();
        !r)
      return r;
  }
  return {};
}

Result<std::vector<DeliveredCopy>> InboxWriter::deliver(const InboxDelivery& d) {
  std::vector<DeliveredCopy> out(d.targets.size());
  struct Filing {
    std::size_t index;
    MailboxId mailbox;
  };
  std::vector<Filing> filings;
  std::map<AccountId, std::uint64_t> growth;  // of the targets accepted so far
  for (std::size_t i = 0; i < d.targets.size(); ++i) {
    const auto& t = d.targets[i];
    out[i].account = t.account;
    auto box = find_mailbox(t.account, t.mailbox);
    if (!box) {
      if (box.error() != Errc::not_found) return box.error();
      out[i].error = Errc::not_found;
      continue;
    }
    out[i].mailbox = box->id;
    auto room = has_room(t.account, growth[t.account] + d.content.size());
    if (!room) return room.error();
    if (!*room) {
      out[i].error = Errc::storage_full;
      continue;
    }
    growth[t.account] += d.content.size();
    filings.push_back({i, box->id});
  }
  if (filings.empty()) return out;

  auto where = content_.append(d.content);
  if (!where) return where.error();
  const auto& s = d.summary;
  auto& insert = st_[kInsertBlob];
  insert.bind(1, static_cast<std::int64_t>(d.content.size()));
  if (d.source) {
    insert.bind(2, static_cast<std::int64_t>(d.source->value()));
  } else {
    insert.bind_null(2);
  }
  insert.bind(3, std::int64_t{where->segment})
      .bind(4, static_cast<std::int64_t>(where->offset))
      .bind(5, static_cast<std::int64_t>(where->length))
      .bind(6, std::int64_t{where->crc32c})
      .bind(7, s.from)
      .bind(8, s.to)
      .bind(9, s.cc)
      .bind(10, s.subject)
      .bind(11, s.message_id);
  if (s.date) {
    insert.bind(12, to_unix_ms(*s.date));
  } else {
    insert.bind_null(12);
  }
  insert.bind(13, std::int64_t{s.has_attachments})
      .bind(14, s.envelope)
      .bind(15, s.body_structure)
      .bind(16, s.body);
  auto blob = insert.one_row(Errc::internal, [](Statement& row) { return row.column_int(0); });
  if (!blob) return blob.error();
  if (auto r = st_[kInsertBlobText].bind(1, *blob).bind(2, s.text).run(); !r) return r.error();

  for (const auto& f : filings) {
    const auto& t = d.targets[f.index];
    struct Taken {
      std::int64_t uid, modseq, validity;
    };
    auto taken =
        st_[kTakeUids].bind(1, f.mailbox).bind(2, 1).one_row(Errc::internal, [](Statement& row) {
          return Taken{row.column_int(0), row.column_int(1), row.column_int(2)};
        });
    if (!taken) return taken.error();
    if (auto r = st_[kInsertEntry]
                     .bind(1, f.mailbox)
                     .bind(2, taken->uid)
                     .bind(3, *blob)
                     .bind(4, std::int64_t{t.flags.system & kAllSystemFlags})
                     .bind(5, taken->modseq)
                     .bind(6, to_unix_ms(d.internal_date))
                     .bind(7, static_cast<std::int64_t>(d.content.size()))
                     .run();
        !r)
      return r.error();
    auto uid = static_cast<std::uint32_t>(taken->uid);
    if (auto r = insert_keywords(f.mailbox, uid, t.flags.keywords); !r) return r.error();
    if (auto r = st_[kUseAccount].bind(1, t.account).bind(2, to_unix_ms(d.internal_date)).run(); !r)
      return r.error();
    out[f.index].uid = uid;
    out[f.index].uid_validity = static_cast<std::uint32_t>(taken->validity);
  }
  return out;
}

Result<std::vector<FlagUpdate>> InboxWriter::store_flags(MailboxId mailbox,
                                                         std::vector<std::uint32_t> uids,
                                                         const FlagChange& change) {
  if (auto box = mailbox_by_id(mailbox); !box) return box.error();
  const auto [set, clear] = system_flag_bits(change);
  auto keywords = sorted_unique(change.flags.keywords);
  std::optional<std::int64_t> modseq;  // taken at the first change: one for the whole call
  std::vector<FlagUpdate> out;
  for (auto uid : sorted_unique(std::move(uids))) {
    auto uid64 = std::int64_t{uid};
    auto exists =
        st_[kEntry].bind(1, mailbox).bind(2, uid64).one_row(Errc::not_found, [](Statement&) {
          return true;
        });
    if (!exists) {
      if (exists.error() == Errc::not_found) continue;  // missing UIDs are skipped
      return exists.error();
    }
    if (auto r =
            st_[kChangeFlags].bind(1, mailbox).bind(2, uid64).bind(3, set).bind(4, clear).run();
        !r)
      return r.error();
    bool changed = db_.changes() > 0;
    std::vector<std::string> unwanted;  // keywords a replace removes
    if (change.operation == FlagOperation::replace) {
      auto now = keywords_of(mailbox, uid);
      if (!now) return now.error();
      std::set_difference(now->begin(), now->end(), keywords.begin(), keywords.end(),
                          std::back_inserter(unwanted));
    }
    const auto& removed = change.operation == FlagOperation::remove ? keywords : unwanted;
    for (const auto& k : removed) {
      if (auto r = st_[kDeleteKeyword].bind(1, mailbox).bind(2, uid64).bind(3, k).run(); !r)
        return r.error();
      changed = changed || db_.changes() > 0;
    }
    if (change.operation != FlagOperation::remove) {
      for (const auto& k : keywords) {
        if (auto r = st_[kInsertKeyword].bind(1, mailbox).bind(2, uid64).bind(3, k).run(); !r)
          return r.error();
        changed = changed || db_.changes() > 0;
      }
    }
    if (!changed) continue;
    if (!modseq) {
      auto next = next_modseq(mailbox);
      if (!next) return next.error();
      modseq = *next;
    }
    auto flags = st_[kSetEntryModseq]
                     .bind(1, mailbox)
                     .bind(2, uid64)
                     .bind(3, *modseq)
                     .one_row(Errc::internal, [](Statement& row) {
                       return static_cast<std::uint8_t>(row.column_int(0));
                     });
    if (!flags) return flags.error();
    auto now_keywords = keywords_of(mailbox, uid);
    if (!now_keywords) return now_keywords.error();
    out.push_back(
        {uid, MailFlags{*flags, std::move(*now_keywords)}, static_cast<std::uint64_t>(*modseq)});
  }
  return out;
}

Result<std::optional<CopyResult>> InboxWriter::copy(MailboxId from, std::vector<std::uint32_t> uids,
                                                    MailboxId target, bool move) {
  auto source = mailbox_by_id(from);
  if (!source) return source.error();
  auto dest = mailbox_by_id(target);
  if (!dest) return dest.error();
  struct Copied {
    MailEntry entry;
    std::vector<std::string> keywords;
  };
  std::vector<Copied> copies;
  std::uint64_t bytes = 0;
  for (auto uid : sorted_unique(std::move(uids))) {
    auto e = st_[kEntry]
                 .bind(1, from)
                 .bind(2, std::int64_t{uid})
                 .one_row(Errc::not_found, [](Statement& row) { return read_entry(row); });
    if (!e) {
      if (e.error() == Errc::not_found) continue;
      return e.error();
    }
    auto keywords = keywords_of(from, uid);
    if (!keywords) return keywords.error();
    bytes += e->size;
    copies.push_back({std::move(*e), std::move(*keywords)});
  }
  CopyResult result{dest->uid_validity, {}};
  if (copies.empty()) return result;
  // A move within one account takes no room: what it adds it removes.
  if (!move || source->account != dest->account) {
    auto room = has_room(dest->account, bytes);
    if (!room) return room.error();
    if (!*room) return std::optional<CopyResult>();
  }
  struct Taken {
    std::int64_t first_uid, modseq;
  };
  auto taken = st_[kTakeUids]
                   .bind(1, target)
                   .bind(2, static_cast<std::int64_t>(copies.size()))
                   .one_row(Errc::internal, [](Statement& row) {
                     return Taken{row.column_int(0), row.column_int(1)};
                   });
  if (!taken) return taken.error();
  std::vector<std::uint32_t> moved;
  for (std::size_t i = 0; i < copies.size(); ++i) {
    const auto& e = copies[i].entry;
    auto uid = static_cast<std::uint32_t>(taken->first_uid + static_cast<std::int64_t>(i));
    if (auto r = st_[kInsertEntry]
                     .bind(1, target)
                     .bind(2, std::int64_t{uid})
                     .bind(3, e.blob)
                     .bind(4, std::int64_t{e.flags.system})
                     .bind(5, taken->modseq)
                     .bind(6, to_unix_ms(e.internal_date))
                     .bind(7, static_cast<std::int64_t>(e.size))
                     .run();
        !r)
      return r.error();
    if (auto r = insert_keywords(target, uid, copies[i].keywords); !r) return r.error();
    result.uids.push_back({e.uid, uid});
    moved.push_back(e.uid);
  }
  if (move) {
    if (auto r = remove_entries(from, moved); !r) return r.error();
  }
  return result;
}

Result<void> InboxWriter::remove_entries(MailboxId mailbox,
                                         const std::vector<std::uint32_t>& uids) {
  if (uids.empty()) return {};
  auto modseq = next_modseq(mailbox);
  if (!modseq) return modseq.error();
  auto now = to_unix_ms(clock_.now());
  for (auto uid : uids) {
    if (auto r = st_[kTombstone]
                     .bind(1, mailbox)
                     .bind(2, *modseq)
                     .bind(3, std::int64_t{uid})
                     .bind(4, now)
                     .run();
        !r)
      return r;
    // Its trigger takes the keywords, the blob reference and the bytes.
    if (auto r = st_[kDeleteEntry].bind(1, mailbox).bind(2, std::int64_t{uid}).run(); !r) return r;
  }
  return {};
}

Result<std::vector<std::uint32_t>> InboxWriter::expunge(MailboxId mailbox,
                                                        std::vector<std::uint32_t> uids,
                                                        bool only_deleted) {
  if (auto box = mailbox_by_id(mailbox); !box) return box.error();
  std::vector<std::uint32_t> removed;
  if (only_deleted && uids.empty()) {
    if (auto r = st_[kDeletedUids].bind(1, mailbox).each_row([&](const Statement& row) {
          removed.push_back(static_cast<std::uint32_t>(row.column_int(0)));
        });
        !r)
      return r.error();
  } else {
    for (auto uid : sorted_unique(std::move(uids))) {
      auto flags = st_[kEntry]
                       .bind(1, mailbox)
                       .bind(2, std::int64_t{uid})
                       .one_row(Errc::not_found,
                                [](Statement& row) { return read_entry(row).flags.system; });
      if (!flags) {
        if (flags.error() == Errc::not_found) continue;
        return flags.error();
      }
      if (!only_deleted || (*flags & kDeletedFlag) != 0) removed.push_back(uid);
    }
  }
  if (auto r = remove_entries(mailbox, removed); !r) return r.error();
  return removed;
}

Result<ExpiryCounts> InboxWriter::expire(SystemTime now, std::size_t limit) {
  ExpiryCounts counts;
  auto now_ms = to_unix_ms(now);
  std::vector<AccountId> unused;
  if (auto r = st_[kUnusedAccounts]
                   .bind(1, now_ms)
                   .bind(2, static_cast<std::int64_t>(limit))
                   .each_row([&](const Statement& row) { unused.push_back(row.column_int(0)); });
      !r)
    return r.error();
  for (auto id : unused) {
    if (auto r = delete_account(id); !r) return r.error();
    ++counts.accounts;
  }
  std::vector<std::pair<MailboxId, std::int64_t>> cutoffs;
  if (auto r = st_[kRetentionCutoffs].bind(1, now_ms).each_row([&](const Statement& row) {
        cutoffs.emplace_back(row.column_int(0), row.column_int(1));
      });
      !r)
    return r.error();
  for (auto [mailbox, cutoff] : cutoffs) {
    if (counts.entries >= limit) break;
    std::vector<std::uint32_t> old;
    if (auto r = st_[kOldEntries]
                     .bind(1, mailbox)
                     .bind(2, cutoff)
                     .bind(3, static_cast<std::int64_t>(limit - counts.entries))
                     .each_row([&](const Statement& row) {
                       old.push_back(static_cast<std::uint32_t>(row.column_int(0)));
                     });
        !r)
      return r.error();
    std::sort(old.begin(), old.end());
    if (auto r = remove_entries(mailbox, old); !r) return r.error();
    counts.entries += old.size();
  }
  auto forget_ms = to_unix_ms(now - kTombstoneAge);
  for (auto sql : {kForgetTombstones, kPruneTombstones}) {
    if (auto r = st_[sql].bind(1, forget_ms).run(); !r) return r.error();
  }
  return counts;
}

}  // namespace postern::store::sqlite
