#include "store/sqlite/file_io.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postern::store::sqlite {

error_code storage_error(int err) {
  return (err == ENOSPC || err == EDQUOT) ? error_code(Errc::storage_full)
                                          : error_code(Errc::storage_unavailable);
}

Result<void> sync_directory(const std::string& directory) {
  int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int synced = dir >= 0 ? ::fsync(dir) : -1;
  int err = errno;
  if (dir >= 0) ::close(dir);
  if (synced != 0) {
    spdlog::error("store: cannot sync directory {}: {}", directory, std::strerror(err));
    return storage_error(err);
  }
  return {};
}

}  // namespace postern::store::sqlite
