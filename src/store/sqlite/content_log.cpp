#include "store/sqlite/content_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/crc32c.h"
#include "store/sqlite/database.h"
#include "store/sqlite/file_io.h"

namespace postern::store::sqlite {
namespace {

constexpr std::string_view kSuffix = ".seg";
// Pending bytes beyond this are written at once, so that a batch of large
// messages does not hold them all in memory until its commit.
constexpr std::size_t kMaxPending = 1 << 20;

std::string segment_name(std::uint32_t id) {
  char name[24];
  std::snprintf(name, sizeof name, "%010u.seg", id);
  return name;
}

// The id of a segment file's name, or 0 for any other file.
std::uint32_t segment_id(std::string_view name) {
  if (name.size() != 10 + kSuffix.size() || !name.ends_with(kSuffix)) return 0;
  std::uint32_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + 10, id);
  return (ec == std::errc() && end == name.data() + 10) ? id : 0;
}

}  // namespace

struct ContentLog::Segment {
  Segment(std::uint32_t id, int fd) : id(id), fd(fd) {}
  ~Segment() { ::close(fd); }
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  std::uint32_t id;
  int fd;
};

ContentLog::ContentLog(std::filesystem::path directory, ContentLogOptions options,
                       std::uint32_t newest)
    : directory_(std::move(directory)),
      options_(options),
      newest_(newest),
      // Every segment already there is closed: the references into it that
      // will ever exist are committed (bytes of a batch that never
      // committed are garbage), so all of them lie below the floor.
      committed_floor_(newest + 1) {}

ContentLog::~ContentLog() = default;

Result<std::unique_ptr<ContentLog>> ContentLog::open(const std::filesystem::path& directory,
                                                     ContentLogOptions options) {
  std::error_code ec;
  bool created = std::filesystem::create_directories(directory, ec);
  if (ec) {
    spdlog::error("store: cannot create the content directory {}: {}", directory.string(),
                  ec.message());
    return storage_error(ec.value());
  }
  if (created && options.fsync) {
    auto parent = directory.parent_path();
    if (auto r = sync_directory(parent.empty() ? "." : parent.string()); !r) return r.error();
  }
  std::uint32_t newest = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    newest = std::max(newest, segment_id(entry.path().filename().string()));
  }
  if (ec) {
    spdlog::error("store: cannot list the content directory {}: {}", directory.string(),
                  ec.message());
    return error_code(Errc::storage_unavailable);
  }
  return std::unique_ptr<ContentLog>(new ContentLog(directory, options, newest));
}

Result<void> ContentLog::start_segment(std::uint32_t id) {
  auto path = directory_ / segment_name(id);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    spdlog::error("store: cannot open content segment {}: {}", path.string(), std::strerror(err));
    return storage_error(err);
  }
  auto segment = std::make_shared<Segment>(id, fd);
  segments_[id] = segment;
  current_ = std::move(segment);
  newest_ = id;
  written_end_ = 0;
  directory_unsynced_ = true;
  return {};
}

Result<ContentRef> ContentLog::append(std::string_view bytes) {
  auto checksum = crc32c(bytes);  // outside the lock that reads wait for
  std::lock_guard lock(mu_);
  auto end = written_end_ + pending_.size();
  if (!current_ || (end > 0 && end + bytes.size() > options_.segment_bytes)) {
    if (auto r = write_pending_locked(); !r) return r.error();
    if (auto r = start_segment(newest_ + 1); !r) return r.error();
  }
  ContentRef ref{current_->id, written_end_ + pending_.size(), bytes.size(), checksum};
  if (bytes.size() >= kMaxPending) {
    // A big message goes from the caller's buffer to the file: copied into
    // pending_ it would be held twice, and pending_ would keep its size.
    if (auto r = write_pending_locked(); !r) return r.error();
    if (auto r = write_locked(bytes); !r) return r.error();
    return ref;
  }
  pending_.append(bytes);
  if (pending_.size() >= kMaxPending) {
    if (auto r = write_pending_locked(); !r) return r.error();
  }
  return ref;
}

Result<void> ContentLog::write_pending() {
  std::lock_guard lock(mu_);
  return write_pending_locked();
}

void ContentLog::discard_pending() {
  std::lock_guard lock(mu_);
  pending_.clear();
}

Result<void> ContentLog::write_pending_locked() {
  auto r = write_locked(pending_);
  pending_.clear();
  return r;
}

Result<void> ContentLog::write_locked(std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    auto n = ::pwrite(current_->fd, bytes.data() + written, bytes.size() - written,
                      static_cast<off_t>(written_end_ + written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A short write is a full disk; the next append overwrites these bytes.
      int err = n < 0 ? errno : ENOSPC;
      spdlog::warn("store: cannot append to content segment {}: {}", current_->id,
                   std::strerror(err));
      pending_.clear();
      return storage_error(err);
    }
    written += static_cast<std::size_t>(n);
  }
  if (written == 0) return {};
  written_end_ += written;
  // Registered once written, not at append: a sync that ran between the
  // append and the write would otherwise take the segment off the list
  // before its bytes were there to sync.
  if (unsynced_.empty() || unsynced_.back() != current_) unsynced_.push_back(current_);
  return {};
}

Result<void> ContentLog::sync() {
  if (!options_.fsync) return {};
  std::lock_guard one_at_a_time(sync_mu_);
  std::vector<std::shared_ptr<Segment>> segments;
  bool directory = false;
  {
    std::lock_guard lock(mu_);
    segments.swap(unsynced_);
    std::swap(directory, directory_unsynced_);
  }
  auto give_back = [&] {
    std::lock_guard lock(mu_);
    unsynced_.insert(unsynced_.begin(), segments.begin(), segments.end());
    directory_unsynced_ = directory_unsynced_ || directory;
  };
  for (const auto& s : segments) {
    if (::fdatasync(s->fd) != 0) {
      int err = errno;
      spdlog::error("store: fdatasync of content segment {} failed: {}", s->id, std::strerror(err));
      give_back();
      return storage_error(err);
    }
  }
  if (directory) {
    if (auto r = sync_directory(directory_.string()); !r) {
      give_back();
      return r;
    }
  }
  return {};
}

std::shared_ptr<ContentLog::Segment> ContentLog::segment(std::uint32_t id) const {
  std::lock_guard lock(mu_);
  if (auto it = segments_.find(id); it != segments_.end()) return it->second;
  auto path = directory_ / segment_name(id);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    spdlog::error("store: cannot open content segment {}: {}", path.string(), std::strerror(errno));
    return nullptr;
  }
  auto s = std::make_shared<Segment>(id, fd);
  segments_[id] = s;
  return s;
}

std::optional<std::string> ContentLog::pending_copy_locked(const ContentRef& ref) const {
  // An append lies wholly in pending_ or wholly written: pending_ starts at
  // written_end_ and is written all at once.
  if (!current_ || ref.segment != current_->id || ref.offset < written_end_) return std::nullopt;
  auto at = ref.offset - written_end_;
  if (at + ref.length > pending_.size()) return std::nullopt;  // the file read reports it
  return pending_.substr(at, ref.length);
}

Result<std::string> ContentLog::read(const ContentRef& ref) const {
  std::optional<std::string> pending;
  {
    std::lock_guard lock(mu_);
    pending = pending_copy_locked(ref);
  }
  auto out = pending ? Result<std::string>(std::move(*pending)) : read_written(ref);
  if (!out) return out;
  if (crc32c(*out) != ref.crc32c) {
    spdlog::error("store: content at segment {} offset {} fails its checksum", ref.segment,
                  ref.offset);
    return error_code(Errc::corrupt);
  }
  return out;
}

Result<std::string> ContentLog::read_written(const ContentRef& ref) const {
  auto s = segment(ref.segment);
  if (!s) return error_code(Errc::corrupt);
  std::string out(ref.length, '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    auto n =
        ::pread(s->fd, out.data() + done, out.size() - done, static_cast<off_t>(ref.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return storage_error(errno);
    if (n == 0) {
      spdlog::error("store: content segment {} ends before offset {} + {}", ref.segment, ref.offset,
                    ref.length);
      return error_code(Errc::corrupt);
    }
    done += static_cast<std::size_t>(n);
  }
  return out;
}

void ContentLog::note_committed() {
  std::lock_guard lock(mu_);
  if (current_) committed_floor_ = current_->id;
}

Result<std::uint64_t> ContentLog::reclaim(
    const std::function<Result<std::set<std::uint32_t>>()>& referenced) {
  // The floor first, then the search: a reference into a segment below the
  // floor was committed before the floor was read, so the search sees it.
  std::uint32_t floor = 0;
  {
    std::lock_guard lock(mu_);
    floor = committed_floor_;
  }
  auto kept = referenced();
  if (!kept) return kept.error();
  auto doomed_id = [&](std::uint32_t id) { return id != 0 && id < floor && !kept->contains(id); };

  // Segments below the floor take no more appends: listing and removing
  // them needs no lock. Only the table of open segments does.
  std::vector<std::filesystem::path> doomed;
  std::error_code ec;
  wait_for_readers();
  for (const auto& entry : std::filesystem::directory_iterator(directory_, ec)) {
    if (doomed_id(segment_id(entry.path().filename().string()))) doomed.push_back(entry.path());
  }
  {
    // Open descriptors stay valid for reads already under way; the space
    // returns when the last one closes.
    std::lock_guard lock(mu_);
    std::erase_if(segments_, [&](const auto& entry) { return doomed_id(entry.first); });
  }
  std::uint64_t freed = 0;
  for (const auto& path : doomed) {
    std::error_code size_ec, remove_ec;
    auto size = std::filesystem::file_size(path, size_ec);
    if (std::filesystem::remove(path, remove_ec)) {
      freed += size_ec ? 0 : size;
    } else if (remove_ec) {
      spdlog::warn("store: cannot remove content segment {}: {}", path.string(),
                   remove_ec.message());
    }
  }
  if (!doomed.empty())
    spdlog::info("store: removed {} content segments ({} bytes)", doomed.size(), freed);
  return freed;
}

std::uint32_t ContentLog::committed_floor() const {
  std::lock_guard lock(mu_);
  return committed_floor_;
}

std::map<std::uint32_t, std::uint64_t> ContentLog::closed_segment_sizes(std::uint32_t floor) const {
  std::map<std::uint32_t, std::uint64_t> sizes;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory_, ec)) {
    auto id = segment_id(entry.path().filename().string());
    std::error_code size_ec;
    auto size = entry.file_size(size_ec);
    if (id != 0 && id < floor && !size_ec) sizes[id] = size;
  }
  return sizes;
}

ContentLog::ReadPin::ReadPin(const ContentLog& log) : log_(log) {
  std::lock_guard lock(log_.pins_mu_);
  epoch_ = log_.pin_epoch_;
  ++log_.pinned_[epoch_];
}

ContentLog::ReadPin::~ReadPin() {
  {
    std::lock_guard lock(log_.pins_mu_);
    auto it = log_.pinned_.find(epoch_);
    if (--it->second == 0) log_.pinned_.erase(it);
  }
  log_.pins_cv_.notify_all();
}

void ContentLog::wait_for_readers() const {
  std::unique_lock lock(pins_mu_);
  auto before = pin_epoch_++;
  pins_cv_.wait(lock, [&] { return pinned_.empty() || pinned_.begin()->first > before; });
}

Result<std::string> stored_content(const Statement& row, int first, const ContentLog& log) {
  if (row.column_is_null(first + 1)) {
    if (row.column_is_null(first)) return error_code(Errc::corrupt);
    return row.column_text(first);
  }
  return log.read({static_cast<std::uint32_t>(row.column_int(first + 1)),
                   static_cast<std::uint64_t>(row.column_int(first + 2)),
                   static_cast<std::uint64_t>(row.column_int(first + 3)),
                   static_cast<std::uint32_t>(row.column_int(first + 4))});
}

}  // namespace postern::store::sqlite
