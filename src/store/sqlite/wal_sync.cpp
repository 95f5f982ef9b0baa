#include "store/sqlite/wal_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <spdlog/spdlog.h>

namespace postern::store::sqlite {
namespace {

error_code storage_error(int err) {
  return (err == ENOSPC || err == EDQUOT) ? error_code(Errc::storage_full) : error_code(Errc::storage_unavailable);
}

}  // namespace

WalSync::WalSync(std::string database_path) : wal_path_(database_path + "-wal") {
  auto dir = std::filesystem::path(database_path).parent_path();
  directory_ = dir.empty() ? "." : dir.string();
}

WalSync::~WalSync() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> WalSync::open_current() {
  struct stat named {};
  if (::stat(wal_path_.c_str(), &named) != 0) {
    // SQLite keeps the WAL while the store is open; without it there is no
    // commit this flush could make durable.
    spdlog::error("store: cannot find the write-ahead log {}: {}", wal_path_, std::strerror(errno));
    return error_code(Errc::storage_unavailable);
  }
  if (fd_ >= 0 && named.st_dev == device_ && named.st_ino == inode_) return {};
  int fd = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    spdlog::error("store: cannot open the write-ahead log {}: {}", wal_path_, std::strerror(errno));
    return storage_error(errno);
  }
  struct stat held {};
  ::fstat(fd, &held);
  int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int dir_synced = dir >= 0 ? ::fsync(dir) : -1;
  int dir_errno = errno;
  if (dir >= 0) ::close(dir);
  if (dir_synced != 0) {
    ::close(fd);
    spdlog::error("store: cannot sync directory {}: {}", directory_, std::strerror(dir_errno));
    return storage_error(dir_errno);
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  device_ = held.st_dev;
  inode_ = held.st_ino;
  return {};
}

Result<void> WalSync::flush() {
  if (auto r = open_current(); !r) return r;
  if (::fdatasync(fd_) != 0) {
    int err = errno;
    spdlog::error("store: fdatasync of {} failed: {}", wal_path_, std::strerror(err));
    return storage_error(err);
  }
  return {};
}

}  // namespace postern::store::sqlite
