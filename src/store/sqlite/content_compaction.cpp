#include "store/sqlite/content_compaction.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <array>
#include <functional>
#include <optional>
#include <string>

#include "store/status_sql.h"

namespace postern::store::sqlite {
namespace {

struct TableSql {
  std::string_view name;
  std::string_view key;
  // Rows of it that must not move now: a message being sent (a sender may
  // hold the reference it leased).
  std::string_view not_leased;
};

// In ContentTable's order.
constexpr std::array<TableSql, 3> kTables{{
    {"messages", "id", " AND status <> {sending}"_status_sql},
    {"message_content", "message_id",
     " AND NOT EXISTS (SELECT 1 FROM messages WHERE id = ?1 AND status = {sending})"_status_sql},
    {"inbox_blobs", "id", ""},
}};

const TableSql& sql_of(ContentTable t) { return kTables[static_cast<std::size_t>(t)]; }

// One statement per table, prepared at its first use in a move.
class PerTable {
 public:
  PerTable(Database& db, std::function<std::string(const TableSql&)> sql)
      : db_(db), sql_(std::move(sql)) {}
  Result<Statement*> of(ContentTable t) {
    auto& slot = statements_[static_cast<std::size_t>(t)];
    if (!slot) {
      auto s = db_.prepare(sql_(sql_of(t)));
      if (!s) return s.error();
      slot = std::move(*s);
    }
    return &*slot;
  }

 private:
  Database& db_;
  std::function<std::string(const TableSql&)> sql_;
  std::array<std::optional<Statement>, kTables.size()> statements_;
};

// The rows of every table that refer to the log, as (table, key, segment,
// length), restricted by `where` (on log_segment).
std::string union_of_rows(std::string_view where) {
  std::string sql;
  for (std::size_t i = 0; i < kTables.size(); ++i) {
    if (i > 0) sql += " UNION ALL ";
    sql +=
        fmt::format("SELECT {} AS t, {} AS k, log_segment AS s, log_length AS n FROM {} WHERE {}",
                    i, kTables[i].key, kTables[i].name, where);
  }
  return sql;
}

}  // namespace

Result<std::map<std::uint32_t, std::uint64_t>> live_bytes_by_segment(Database& db) {
  auto s = db.prepare("SELECT s, sum(n) FROM (" + union_of_rows("log_segment IS NOT NULL") +
                      ") GROUP BY s");
  if (!s) return s.error();
  std::map<std::uint32_t, std::uint64_t> live;
  auto done = s->each_row([&](const Statement& row) {
    live[static_cast<std::uint32_t>(row.column_int(0))] =
        static_cast<std::uint64_t>(row.column_int(1));
  });
  if (!done) return done.error();
  return live;
}

Result<std::vector<LiveRow>> rows_in_segments(Database& db,
                                              const std::set<std::uint32_t>& segments) {
  std::vector<LiveRow> rows;
  if (segments.empty()) return rows;
  auto s = db.prepare(union_of_rows(fmt::format("log_segment IN ({})", fmt::join(segments, ","))) +
                      " ORDER BY s, t, k");
  if (!s) return s.error();
  auto done = s->each_row([&](const Statement& row) {
    rows.push_back({static_cast<ContentTable>(row.column_int(0)), row.column_int(1),
                    static_cast<std::uint32_t>(row.column_int(2)),
                    static_cast<std::uint64_t>(row.column_int(3))});
  });
  if (!done) return done.error();
  return rows;
}

std::set<std::uint32_t> segments_to_compact(const std::map<std::uint32_t, std::uint64_t>& sizes,
                                            const std::map<std::uint32_t, std::uint64_t>& live,
                                            double below) {
  std::set<std::uint32_t> out;
  for (auto [segment, size] : sizes) {
    auto it = live.find(segment);
    // No live bytes: the reclaim removes it without moving anything.
    if (it == live.end() || it->second == 0) continue;
    if (static_cast<double>(it->second) < below * static_cast<double>(size)) out.insert(segment);
  }
  return out;
}

Result<MoveResult> move_content(Database& db, ContentLog& log, std::span<const LiveRow> rows) {
  struct Moved {
    const LiveRow* row;
    ContentRef to;
  };
  std::vector<Moved> moved;
  MoveResult result;
  PerTable finds(db, [](const TableSql& t) {
    return fmt::format(
        "SELECT log_segment, log_offset, log_length, log_crc32c FROM {} WHERE {} = ?1{}", t.name,
        t.key, t.not_leased);
  });
  PerTable updates(db, [](const TableSql& t) {
    return fmt::format("UPDATE {} SET log_segment = ?2, log_offset = ?3 WHERE {} = ?1", t.name,
                       t.key);
  });
  // Step 1: the copies, durable before any row points at them.
  for (const auto& row : rows) {
    const auto& t = sql_of(row.table);
    auto find = finds.of(row.table);
    if (!find) return find.error();
    auto from = (*find)->bind(1, row.key).one_row(Errc::not_found, [](Statement& r) {
      return ContentRef{
          static_cast<std::uint32_t>(r.column_int(0)), static_cast<std::uint64_t>(r.column_int(1)),
          static_cast<std::uint64_t>(r.column_int(2)), static_cast<std::uint32_t>(r.column_int(3))};
    });
    // Gone (purged), leased, or moved by an earlier pass: not ours to move.
    if (!from && from.error() == Errc::not_found) {
      ++result.skipped;
      continue;
    }
    if (!from) return from.error();
    if (from->segment != row.segment) {
      ++result.skipped;
      continue;
    }
    auto bytes = log.read(*from);
    if (!bytes) {
      // Unreadable content stays where it is, to fail as it would have.
      if (bytes.error() == Errc::corrupt) {
        spdlog::warn("store: content of {} row {} is unreadable; left in segment {}", t.name,
                     row.key, row.segment);
        ++result.skipped;
        continue;
      }
      return bytes.error();
    }
    auto to = log.append(*bytes);
    if (!to) return to.error();
    moved.push_back({&row, *to});
    result.bytes += bytes->size();
  }
  if (moved.empty()) return result;
  if (auto r = log.write_pending(); !r) return r.error();
  if (auto r = log.sync(); !r) return r.error();
  // Step 2: the rows point at the copies (length and checksum are the same).
  for (const auto& m : moved) {
    auto update = updates.of(m.row->table);
    if (!update) return update.error();
    auto done = (*update)
                    ->bind(1, m.row->key)
                    .bind(2, static_cast<std::int64_t>(m.to.segment))
                    .bind(3, static_cast<std::int64_t>(m.to.offset))
                    .run();
    if (!done) return done.error();
  }
  result.moved = moved.size();
  return result;
}

}  // namespace postern::store::sqlite
