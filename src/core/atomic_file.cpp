#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

namespace postern {
namespace {

error_code last_error() { return {errno, boost::system::system_category()}; }

// Closes the descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Result<void> write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_error();
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> fsync_directory(const std::filesystem::path& dir) {
  Fd d{::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0) return last_error();
  if (::fsync(d.fd) != 0) return last_error();
  return {};
}

}  // namespace

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                   mode_t mode) {
  // A random suffix: two writers of the same file never share a temporary.
  auto temp = path;
  temp += ".tmp" + std::to_string(std::random_device{}());
  Result<void> written;
  {
    Fd f{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)};
    if (f.fd < 0) return last_error();
    written = write_all(f.fd, content);
    // The umask may have narrowed the mode; set it as asked.
    if (written && ::fchmod(f.fd, mode) != 0) written = last_error();
    if (written && ::fsync(f.fd) != 0) written = last_error();
  }
  if (written && ::rename(temp.c_str(), path.c_str()) != 0) written = last_error();
  if (!written) {
    ::unlink(temp.c_str());
    return written;
  }
  return fsync_directory(path.parent_path());
}

}  // namespace postern
