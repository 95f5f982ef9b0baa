#include "store/sqlite/wal_sync.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "store/sqlite/file_io.h"

namespace postern::store::sqlite {

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
  if (auto r = sync_directory(directory_); !r) {
    ::close(fd);
    return r;
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
