// Moving live content out of sparse segments, so that the disk holds about
// what is still kept and not what a few old messages pin.
//
// A segment file goes only once no row refers to it (ContentLog::reclaim).
// A message deferred for a day, or a caught message kept for a week, would
// keep its whole segment (up to store.segment_bytes) that long, and a few
// such messages spread over the traffic would keep most of it. So a closed
// segment whose live content (the lengths its rows refer to) is below
// store.compact_below of its size has those rows' content copied to the
// current segment and the rows pointed at the copy; the old segment is then
// unreferenced, and the reclaim that follows removes it. Every closed
// segment that stays is then at least compact_below live: the disk holds at
// most live / compact_below, plus the segment being written.
//
// Crash safety, step by step (SqliteStore::reclaim_content_space):
//   1. The copies are appended and fdatasync'd, in the writer's
//      transaction, before any row is changed. A crash here leaves rows
//      pointing at the old segment, which is still there; the copies are
//      dead bytes in a segment that is then closed (a later pass compacts
//      it in turn).
//   2. The rows are updated in the same transaction and committed; the
//      move's answer comes after the sync stage has fdatasync'd the WAL.
//      A power cut before that leaves either the old rows (old segment
//      there) or the new ones (their copies already durable).
//   3. Only after that answer does the reclaim look for unreferenced
//      segments; it waits for the readers that may have read an old
//      reference (ContentLog::ReadPin) and removes the old segment. A crash
//      before or during the removal leaves a segment no row refers to,
//      which the next reclaim removes.
// A message being sent (leased) is not moved; its segment waits for a
// later pass. Content that fails its checksum is left where it is.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <vector>

#include "core/error.h"
#include "store/sqlite/content_log.h"
#include "store/sqlite/database.h"

namespace postern::store::sqlite {

// The tables whose rows refer to content in the log.
enum class ContentTable { messages, message_content, inbox_blobs };

// One row whose content lies in a segment to compact.
struct LiveRow {
  ContentTable table = ContentTable::messages;
  std::int64_t key = 0;  // the row's id (message_content: its message_id)
  std::uint32_t segment = 0;
  std::uint64_t length = 0;
};

// The bytes the rows of `db` refer to, by segment: a scan of every row
// (no index serves it, and one would cost every insert), on a reader.
Result<std::map<std::uint32_t, std::uint64_t>> live_bytes_by_segment(Database& db);
// The rows that refer to one of `segments`, by segment then key.
Result<std::vector<LiveRow>> rows_in_segments(Database& db,
                                              const std::set<std::uint32_t>& segments);

// The closed segments (`sizes`: file sizes) whose live bytes are some but
// fewer than `below` times their size. below = 0 compacts none.
std::set<std::uint32_t> segments_to_compact(const std::map<std::uint32_t, std::uint64_t>& sizes,
                                            const std::map<std::uint32_t, std::uint64_t>& live,
                                            double below);

struct MoveResult {
  std::size_t moved = 0;    // rows now pointing at a copy
  std::size_t skipped = 0;  // gone, leased, elsewhere already, or unreadable
  std::uint64_t bytes = 0;  // content copied
};

// Copies the content of `rows` to the end of the log, makes the copies
// durable, then points the rows at them (steps 1 and 2 above). On the
// writer's thread, inside its transaction. Errors: those of the log and
// the database (the transaction must roll back).
Result<MoveResult> move_content(Database& db, ContentLog& log, std::span<const LiveRow> rows);

}  // namespace postern::store::sqlite
