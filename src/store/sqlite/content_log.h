// Message content kept outside the database, appended to segment files.
//
// Why: a 4 KiB message stored in a row fills a database page of its own, so
// each message cost a page in the WAL and the same page again when the
// checkpoint copied it into the database: four times its size in writes,
// which made the disk, not the CPU, the limit of intake. Appended here, the
// content is written once; the row keeps only where it lies (ContentRef).
//
// Durability: sync() fdatasyncs every segment appended to since the last
// sync. The store's flush runs it beside the WAL's and answers after both,
// so every acknowledged message has its content on disk. A row that was never acknowledged can
// still reach the disk before its content (a checkpoint or the kernel's
// writeback may write the WAL first); the checksum in its reference then
// tells, and such a message fails as unreadable instead of leaving with
// whatever bytes a power cut left in its place.
//
// Each start of the store begins a new segment (at its first append), so the
// end of a segment's content is never guessed from a file a crash may have
// left longer (bytes of writes that never committed) or shorter than its
// last reference.
//
// Appends are buffered: append() assigns the place and keeps the bytes;
// write_pending() writes them all with one call, before the transaction
// that references them commits. One 4 KiB pwrite per message cost the writer
// a system call and a partly zeroed page cache page each (half of its
// time); one write per batch costs neither.
//
// Threads: append(), write_pending() and discard_pending() on the writer
// thread only; sync() and read() from any. Rows become visible to other
// connections at commit, after their bytes were written; the writer's own
// transaction may read what it appended, and read() serves such bytes from
// the pending buffer. Bytes once referenced are never rewritten, so a read
// of written bytes needs no lock once it has the segment's descriptor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace postern::store::sqlite {

class Statement;

// Where one message's content lies.
struct ContentRef {
  std::uint32_t segment = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint32_t crc32c = 0;  // of the content (core/crc32c.h)
};

struct ContentLogOptions {
  // A segment takes appends until this size; then the next one starts.
  std::uint64_t segment_bytes = 64ull << 20;
  bool fsync = true;  // false: sync() does nothing (store.fsync = false)
};

class ContentLog {
 public:
  // Opens (creating) the directory; the first append starts a segment after
  // the newest one there. Errors: storage_unavailable, storage_full.
  static Result<std::unique_ptr<ContentLog>> open(const std::filesystem::path& directory,
                                                  ContentLogOptions options);
  ~ContentLog();
  ContentLog(const ContentLog&) = delete;
  ContentLog& operator=(const ContentLog&) = delete;

  // Places `bytes` at the end of the current segment and keeps them to be
  // written by write_pending() (or by this call, once enough are pending).
  // A failed append drops every pending append (their transaction must roll
  // back). Errors: storage_full, storage_unavailable.
  Result<ContentRef> append(std::string_view bytes);
  // Writes every pending append to its segment (page cache only). Call before
  // the commit of the rows that reference them. On failure the pending
  // appends are dropped. Errors: storage_full, storage_unavailable.
  Result<void> write_pending();
  // Drops the appends not yet written (their transaction rolled back); the
  // next append takes their place.
  void discard_pending();

  // Makes every append written (write_pending) before the call durable,
  // with the directory entries of new segments; appends still pending are
  // not written by it. Errors: storage_full, storage_unavailable.
  Result<void> sync();

  // Written or still pending. Errors: corrupt (no such segment, shorter
  // than the reference, or the checksum differs), storage_unavailable.
  Result<std::string> read(const ContentRef& ref) const;

  // Called after each commit of the writer: every append to a segment below
  // the current one now belongs to a committed (or rolled back) transaction.
  // That segment is the committed floor; at open, the floor lies above every
  // segment already there.
  void note_committed();
  // Deletes the segment files that no row refers to: those below the
  // committed floor that are not among `referenced()` (the segments any
  // committed row refers to; it must search a snapshot taken after it is
  // called). Answers the bytes freed.
  //
  // Why a set and not the lowest referenced segment: a message that stays
  // (quarantined, or deferred for days) would then keep every segment
  // written after its own; now it keeps only its own.
  //
  // Before it removes anything it waits for every ReadPin taken before it
  // began the removal (wait_for_readers), so a reader that found a
  // reference in a row (moved since: content_compaction.h) still reads it.
  Result<std::uint64_t> reclaim(const std::function<Result<std::set<std::uint32_t>>()>& referenced);

  // The committed floor (note_committed): segments below it take no more
  // appends and each reference into them is committed.
  std::uint32_t committed_floor() const;
  // The size of each segment file below `floor` (those closed).
  std::map<std::uint32_t, std::uint64_t> closed_segment_sizes(std::uint32_t floor) const;

  // Held by a reader from before it reads a reference out of a row until it
  // has read the content: a segment whose rows were moved elsewhere is
  // removed only once the pins taken before the move committed are gone.
  // Readers on the writer's thread need none (a move runs there too).
  class ReadPin {
   public:
    explicit ReadPin(const ContentLog& log);
    ~ReadPin();
    ReadPin(const ReadPin&) = delete;
    ReadPin& operator=(const ReadPin&) = delete;

   private:
    const ContentLog& log_;
    std::uint64_t epoch_;
  };
  // Waits until every ReadPin taken before the call is released.
  void wait_for_readers() const;

 private:
  struct Segment;
  ContentLog(std::filesystem::path directory, ContentLogOptions options, std::uint32_t newest);
  Result<void> start_segment(std::uint32_t id);  // mu_ held
  Result<void> write_pending_locked();           // mu_ held
  // Writes `bytes` at the end of the current segment; mu_ held. A failure
  // drops pending_ too (append's contract).
  Result<void> write_locked(std::string_view bytes);
  // The bytes of `ref` if they wait in pending_, else nothing. mu_ held.
  std::optional<std::string> pending_copy_locked(const ContentRef& ref) const;
  Result<std::string> read_written(const ContentRef& ref) const;
  std::shared_ptr<Segment> segment(std::uint32_t id) const;

  std::filesystem::path directory_;
  ContentLogOptions options_;
  mutable std::mutex mu_;
  // Guarded by mu_; older segments are opened on their first read.
  mutable std::map<std::uint32_t, std::shared_ptr<Segment>> segments_;
  std::shared_ptr<Segment> current_;  // guarded by mu_; none before the first append
  std::uint32_t newest_ = 0;          // guarded by mu_: highest segment id seen or made
  // Guarded by mu_: appended, not yet written; it goes at written_end_ in
  // current_, and the next append at written_end_ + pending_.size().
  std::string pending_;
  std::uint64_t written_end_ = 0;
  std::vector<std::shared_ptr<Segment>> unsynced_;  // guarded by mu_
  bool directory_unsynced_ = false;                 // guarded by mu_
  std::uint32_t committed_floor_;                   // guarded by mu_
  // Read pins by the epoch they were taken in; wait_for_readers() starts a
  // new epoch and waits for the older ones to empty.
  mutable std::mutex pins_mu_;
  mutable std::condition_variable pins_cv_;
  mutable std::uint64_t pin_epoch_ = 0;                  // guarded by pins_mu_
  mutable std::map<std::uint64_t, std::size_t> pinned_;  // guarded by pins_mu_
  std::mutex sync_mu_;  // one sync at a time: a second waits for the first's fdatasync to finish
};

// Where a message's content is told: its reference in the message row
// (schema 4 on), or for older messages in their message_content row, by
// reference or inline (written before the log existed). Every query of
// content selects kStoredContentColumns (in the order stored_content()
// reads them) from kStoredContentSource, where `m` is the messages row.
inline constexpr std::string_view kStoredContentSource =
    "messages m LEFT JOIN message_content c ON c.message_id = m.id";
inline constexpr std::string_view kStoredContentColumns =
    "c.content, coalesce(m.log_segment, c.log_segment), coalesce(m.log_offset, c.log_offset), "
    "coalesce(m.log_length, c.log_length), coalesce(m.log_crc32c, c.log_crc32c)";

// The content of a row whose columns from `first` on are kStoredContentColumns:
// from the log, or inline. Errors: corrupt (a message with no content),
// those of ContentLog::read.
Result<std::string> stored_content(const Statement& row, int first, const ContentLog& log);

}  // namespace postern::store::sqlite
