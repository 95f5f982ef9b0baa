// The test inbox's message writes on PostgreSQL: InboxWriter's operations
// on entries (see inbox_writer.h for the locks, the deferred statements and
// how UIDs are taken).
#include <algorithm>
#include <map>

#include "store/postgres/inbox_rows.h"
#include "store/postgres/inbox_writer.h"

namespace postern::store::postgres {
namespace {

// A mailbox a delivery files into, as locked: the next UID and modseq are
// taken from here, and written back once.
struct Target {
  Mailbox box;
  std::uint32_t uid_next = 0;
  std::uint64_t modseq = 0;
};

// Whether the account may grow by `bytes`.
bool has_room(std::uint64_t quota, std::uint64_t used, std::uint64_t bytes) {
  return quota == 0 || (used <= quota && bytes <= quota - used);
}

// The new keywords of an entry, in SQL over its column `keywords`: the
// given ones ($kw, a text[]) added, removed, or in their place. Sorted
// byte by byte and unique, as they are stored.
std::string keywords_after(FlagOperation op) {
  switch (op) {
    case FlagOperation::add:
      return "ARRAY(SELECT DISTINCT k FROM unnest(keywords || $5::text[]) k ORDER BY 1)";
    case FlagOperation::remove:
      return "ARRAY(SELECT k FROM unnest(keywords) k WHERE k <> ALL($5::text[]) ORDER BY 1)";
    case FlagOperation::replace:
      break;
  }
  return "$5::text[]";
}

}  // namespace

Result<std::vector<DeliveredCopy>> InboxWriter::deliver(const InboxDelivery& d) {
  std::vector<DeliveredCopy> out(d.targets.size());
  // The mailboxes named, locked in id order. A name no mailbox can have is
  // not asked for (nor could it travel in the list: names hold no line break).
  std::vector<std::int64_t> accounts;
  std::vector<std::string> keys;
  for (const auto& t : d.targets) {
    if (!is_inbox_name(t.mailbox) && !valid_mailbox_name(t.mailbox)) continue;
    accounts.push_back(t.account);
    keys.push_back(mailbox_key(t.mailbox));
  }
  auto boxes = query("SELECT " POSTERN_PG_INBOX_MAILBOX_COLUMNS
                     " FROM inbox_mailboxes WHERE (account, name_key) IN (SELECT * FROM "
                     "unnest($1::bigint[], $2::text[])) ORDER BY id FOR UPDATE",
                     Params().text(int_array(accounts)).text(text_array(keys)));
  if (!boxes) return boxes.error();
  std::map<std::pair<AccountId, std::string>, Target> targets;
  std::vector<std::int64_t> owners;
  for (int i = 0; i < boxes->size(); ++i) {
    auto box = read_mailbox(*boxes, i);
    owners.push_back(box.account);
    auto key = std::pair{box.account, mailbox_key(box.name)};
    targets[key] = Target{box, box.uid_next, box.highest_modseq};
  }
  // Then their accounts, in id order: their used bytes cannot change
  // (another node delivering) until this transaction ends.
  struct Room {
    std::uint64_t quota, used;
  };
  std::map<AccountId, Room> rooms;
  if (!owners.empty()) {
    auto rows = query(
        "SELECT id, quota_bytes, used_bytes FROM inbox_accounts WHERE id = ANY($1::bigint[]) "
        "ORDER BY id FOR UPDATE",
        Params().text(int_array(sorted_unique(owners))));
    if (!rows) return rows.error();
    for (int i = 0; i < rows->size(); ++i) {
      rooms[rows->integer(i, 0)] = {static_cast<std::uint64_t>(rows->integer(i, 1)),
                                    static_cast<std::uint64_t>(rows->integer(i, 2))};
    }
  }

  // Each target in turn, as SQLite files them: its own UID and modseq.
  std::vector<std::int64_t> mailboxes, uids, flags, modseqs;
  std::vector<std::string> keywords;
  std::vector<AccountId> used;
  const auto size = static_cast<std::uint64_t>(d.content.size());
  for (std::size_t i = 0; i < d.targets.size(); ++i) {
    const auto& t = d.targets[i];
    out[i].account = t.account;
    auto found = targets.find({t.account, mailbox_key(t.mailbox)});
    auto room = rooms.find(t.account);
    if (found == targets.end() || room == rooms.end()) {
      out[i].error = Errc::not_found;
      continue;
    }
    auto& target = found->second;
    out[i].mailbox = target.box.id;
    if (!has_room(room->second.quota, room->second.used, size)) {
      out[i].error = Errc::storage_full;
      continue;
    }
    room->second.used += size;
    out[i].uid = target.uid_next++;
    out[i].uid_validity = target.box.uid_validity;
    mailboxes.push_back(target.box.id);
    uids.push_back(out[i].uid);
    flags.push_back(t.flags.system & kAllSystemFlags);
    keywords.push_back(join_lines(sorted_unique(t.flags.keywords)));
    modseqs.push_back(static_cast<std::int64_t>(++target.modseq));
    used.push_back(t.account);
  }
  if (mailboxes.empty()) return out;

  // The blob, its text and bytes, and the entries that refer to it, in one
  // statement (the entries' trigger counts the references and the bytes).
  const auto& s = d.summary;
  Params blob;
  blob.integer(static_cast<std::int64_t>(size));
  if (d.source) {
    blob.integer(static_cast<std::int64_t>(d.source->value()));
  } else {
    blob.null();
  }
  blob.text(s.from).text(s.to).text(s.cc).text(s.subject).text(s.message_id);
  if (s.date) {
    blob.integer(to_unix_ms(*s.date));
  } else {
    blob.null();
  }
  blob.text(s.has_attachments ? "t" : "f")
      .text(s.envelope)
      .text(s.body_structure)
      .text(s.body)
      .text(s.text)
      .bytes(d.content)
      .integer(to_unix_ms(d.internal_date))
      .text(int_array(mailboxes))
      .text(int_array(uids))
      .text(int_array(flags))
      .text(text_array(keywords))
      .text(int_array(modseqs));
  defer(
      "WITH b AS (INSERT INTO inbox_blobs(size, source, from_text, to_text, cc_text, subject, "
      "message_id, date, has_attachments, envelope, body_structure, body) VALUES ($1, $2, $3, $4, "
      "$5, $6, $7, postern_ts($8), $9, $10, $11, $12) RETURNING id), "
      "t AS (INSERT INTO inbox_blob_texts(blob, text) SELECT id, $13 FROM b), "
      "c AS (INSERT INTO inbox_blob_contents(blob, content) SELECT id, $14 FROM b) "
      "INSERT INTO inbox_entries(mailbox, uid, blob, flags, keywords, modseq, internal_date, "
      "size) SELECT x.mailbox, x.uid, b.id, x.flags, string_to_array(x.keywords, E'\\n'), "
      "x.modseq, postern_ts($15), $1 FROM b, unnest($16::bigint[], $17::bigint[], "
      "$18::smallint[], $19::text[], $20::bigint[]) AS x(mailbox, uid, flags, keywords, modseq)",
      std::move(blob));
  std::vector<std::int64_t> ids, nexts, highest;
  for (const auto& [key, target] : targets) {
    if (target.uid_next == target.box.uid_next) continue;  // nothing filed there
    ids.push_back(target.box.id);
    nexts.push_back(target.uid_next);
    highest.push_back(static_cast<std::int64_t>(target.modseq));
  }
  defer(
      "UPDATE inbox_mailboxes m SET uid_next = x.next, highest_modseq = x.modseq FROM "
      "unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS x(id, next, modseq) WHERE m.id = x.id",
      Params().text(int_array(ids)).text(int_array(nexts)).text(int_array(highest)));
  defer(
      "UPDATE inbox_accounts SET last_used_at = greatest(last_used_at, postern_ts($2)) "
      "WHERE id = ANY($1::bigint[])",
      Params().text(int_array(sorted_unique(used))).integer(to_unix_ms(d.internal_date)));
  return out;
}

Result<std::vector<FlagUpdate>> InboxWriter::store_flags(MailboxId mailbox,
                                                         std::vector<std::uint32_t> uids,
                                                         const FlagChange& change) {
  // The mailbox's lock orders this change after every other one on it
  // committed before, which this statement then sees.
  auto box = lock_mailbox_by_id(mailbox);
  if (!box) return box.error();
  const auto [set, clear] = system_flag_bits(change);
  // The new flags are computed from the stored ones in the statement, so
  // concurrent changes are all kept; only entries that change take the
  // (one) new modseq, and the mailbox takes it only if one did.
  const auto keywords = keywords_after(change.operation);
  const auto flags = "((flags | $3::smallint) & ~$4::smallint)";
  auto rows =
      query("WITH changed AS (UPDATE inbox_entries SET flags = " + std::string(flags) +
                ", keywords = " + keywords +
                ", modseq = $6 WHERE mailbox = $1 AND uid = ANY($2::bigint[]) AND (flags <> " +
                flags + " OR keywords <> " + keywords +
                ") RETURNING uid, flags, array_to_string(keywords, E'\\n')), "
                "bump AS (UPDATE inbox_mailboxes SET highest_modseq = $6 WHERE id = $1 AND EXISTS "
                "(SELECT 1 FROM changed)) SELECT * FROM changed ORDER BY uid",
            Params()
                .integer(mailbox)
                .text(int_array(sorted_unique(std::move(uids))))
                .integer(set)
                .integer(clear)
                .text(text_array(sorted_unique(change.flags.keywords)))
                .integer(static_cast<std::int64_t>(box->highest_modseq + 1)));
  if (!rows) return rows.error();
  std::vector<FlagUpdate> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back(
        {static_cast<std::uint32_t>(rows->integer(i, 0)),
         MailFlags{static_cast<std::uint8_t>(rows->integer(i, 1)), split_lines(rows->view(i, 2))},
         box->highest_modseq + 1});
  }
  return out;
}

Result<std::optional<CopyResult>> InboxWriter::copy(MailboxId from, std::vector<std::uint32_t> uids,
                                                    MailboxId target, bool move) {
  // Both mailboxes, locked in id order.
  auto boxes = query("SELECT " POSTERN_PG_INBOX_MAILBOX_COLUMNS
                     " FROM inbox_mailboxes WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
                     Params().integer(from).integer(target));
  if (!boxes) return boxes.error();
  std::optional<Mailbox> source, dest;
  for (int i = 0; i < boxes->size(); ++i) {
    auto box = read_mailbox(*boxes, i);
    if (box.id == from) source = box;
    if (box.id == target) dest = box;
  }
  if (!source || !dest) return Errc::not_found;
  auto found = query(
      "SELECT uid, size FROM inbox_entries WHERE mailbox = $1 AND uid = ANY($2::bigint[]) "
      "ORDER BY uid",
      Params().integer(from).text(int_array(sorted_unique(std::move(uids)))));
  if (!found) return found.error();
  CopyResult result{dest->uid_validity, {}};
  if (found->size() == 0) return result;
  std::vector<std::uint32_t> old_uids;
  std::vector<std::int64_t> new_uids;
  std::uint64_t bytes = 0;
  for (int i = 0; i < found->size(); ++i) {
    auto uid = static_cast<std::uint32_t>(found->integer(i, 0));
    auto to = dest->uid_next + static_cast<std::uint32_t>(i);
    old_uids.push_back(uid);
    new_uids.push_back(to);
    result.uids.push_back({uid, to});
    bytes += static_cast<std::uint64_t>(found->integer(i, 1));
  }
  // Both accounts, in id order. A move within one account takes no room:
  // what it adds it removes.
  auto accounts = query(
      "SELECT id, quota_bytes, used_bytes FROM inbox_accounts WHERE id IN ($1, $2) ORDER BY id "
      "FOR UPDATE",
      Params().integer(source->account).integer(dest->account));
  if (!accounts) return accounts.error();
  if (!move || source->account != dest->account) {
    for (int i = 0; i < accounts->size(); ++i) {
      if (accounts->integer(i, 0) == dest->account &&
          !has_room(static_cast<std::uint64_t>(accounts->integer(i, 1)),
                    static_cast<std::uint64_t>(accounts->integer(i, 2)), bytes))
        return std::optional<CopyResult>();
    }
  }
  // The mailbox row is locked: advancing it from its stored values is
  // what taking the UIDs read above amounts to.
  defer(
      "WITH m AS (UPDATE inbox_mailboxes SET uid_next = uid_next + $3, highest_modseq = "
      "highest_modseq + 1 WHERE id = $2 RETURNING highest_modseq) "
      "INSERT INTO inbox_entries(mailbox, uid, blob, flags, keywords, modseq, internal_date, size) "
      "SELECT $2, x.to_uid, e.blob, e.flags, e.keywords, m.highest_modseq, e.internal_date, e.size "
      "FROM m, inbox_entries e JOIN unnest($4::bigint[], $5::bigint[]) AS x(from_uid, to_uid) "
      "ON e.uid = x.from_uid WHERE e.mailbox = $1",
      Params()
          .integer(from)
          .integer(target)
          .integer(static_cast<std::int64_t>(old_uids.size()))
          .text(int_array(old_uids))
          .text(int_array(new_uids)));
  if (move) remove_entries(from, old_uids);
  return std::optional<CopyResult>(std::move(result));
}

void InboxWriter::remove_entries(MailboxId mailbox, const std::vector<std::uint32_t>& uids) {
  if (uids.empty()) return;
  // The entry trigger takes the blob references and the bytes; the
  // tombstones name only entries this statement removed.
  defer(
      "WITH m AS (UPDATE inbox_mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = $1 "
      "RETURNING highest_modseq), "
      "d AS (DELETE FROM inbox_entries WHERE mailbox = $1 AND uid = ANY($2::bigint[]) "
      "RETURNING uid) "
      "INSERT INTO inbox_expunged(mailbox, modseq, uid, at) "
      "SELECT $1, m.highest_modseq, d.uid, postern_ts($3) FROM m, d ON CONFLICT DO NOTHING",
      Params().integer(mailbox).text(int_array(uids)).integer(to_unix_ms(clock_.now())));
}

Result<std::vector<std::uint32_t>> InboxWriter::expunge(MailboxId mailbox,
                                                        std::vector<std::uint32_t> uids,
                                                        bool only_deleted) {
  if (auto box = lock_mailbox_by_id(mailbox); !box) return box.error();
  const bool every = only_deleted && uids.empty();
  auto rows = query(
      "SELECT uid FROM inbox_entries WHERE mailbox = $1 AND ($3 OR uid = ANY($2::bigint[])) "
      "AND (NOT $4 OR flags & $5 <> 0) ORDER BY uid",
      Params()
          .integer(mailbox)
          .text(int_array(sorted_unique(std::move(uids))))
          .text(every ? "t" : "f")
          .text(only_deleted ? "t" : "f")
          .integer(kDeletedFlag));
  if (!rows) return rows.error();
  std::vector<std::uint32_t> removed;
  for (int i = 0; i < rows->size(); ++i)
    removed.push_back(static_cast<std::uint32_t>(rows->integer(i, 0)));
  remove_entries(mailbox, removed);
  return removed;
}

Result<ExpiryCounts> InboxWriter::expire(SystemTime now, std::size_t limit) {
  ExpiryCounts counts;
  const auto now_ms = to_unix_ms(now);
  auto unused = query(
      "SELECT id FROM inbox_accounts WHERE NOT catch_all AND last_used_at + retention_s * "
      "interval '1 second' < postern_ts($1) ORDER BY last_used_at LIMIT $2",
      Params().integer(now_ms).integer(static_cast<std::int64_t>(limit)));
  if (!unused) return unused.error();
  for (int i = 0; i < unused->size(); ++i) {
    auto r = delete_account(unused->integer(i, 0));
    if (!r && r.error() == Errc::not_found) continue;  // deleted meanwhile (another node)
    if (!r) return r.error();
    ++counts.accounts;
  }
  // Up to `limit` entries older than their account's retention, mailbox by
  // mailbox (each read by its date index), oldest first in each; their
  // mailboxes locked in id order.
  auto old = query(
      "SELECT m.id, o.uid FROM inbox_mailboxes m JOIN inbox_accounts a ON a.id = m.account "
      "CROSS JOIN LATERAL (SELECT uid, internal_date FROM inbox_entries e WHERE e.mailbox = m.id "
      "AND e.internal_date < postern_ts($1) - a.retention_s * interval '1 second' "
      "ORDER BY internal_date LIMIT $2) o ORDER BY m.id, o.internal_date LIMIT $2 FOR UPDATE OF m",
      Params().integer(now_ms).integer(static_cast<std::int64_t>(limit)));
  if (!old) return old.error();
  std::map<MailboxId, std::vector<std::uint32_t>> by_mailbox;
  for (int i = 0; i < old->size(); ++i)
    by_mailbox[old->integer(i, 0)].push_back(static_cast<std::uint32_t>(old->integer(i, 1)));
  for (auto& [mailbox, uids] : by_mailbox) {
    std::sort(uids.begin(), uids.end());
    remove_entries(mailbox, uids);
    counts.entries += uids.size();
  }
  const auto forget_ms = to_unix_ms(now - kTombstoneAge);
  defer(
      "UPDATE inbox_mailboxes m SET forgotten_below = greatest(m.forgotten_below, x.top) FROM "
      "(SELECT mailbox, max(modseq) AS top FROM inbox_expunged WHERE at < postern_ts($1) "
      "GROUP BY mailbox) x WHERE m.id = x.mailbox",
      Params().integer(forget_ms));
  defer("DELETE FROM inbox_expunged WHERE at < postern_ts($1)", Params().integer(forget_ms));
  return counts;
}

}  // namespace postern::store::postgres
