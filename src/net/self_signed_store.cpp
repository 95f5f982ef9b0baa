#include "net/self_signed_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/atomic_file.h"
#include "core/time_format.h"

namespace postern::net {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCertFile = "self-signed.crt";
constexpr const char* kKeyFile = "self-signed.key";
constexpr const char* kLockFile = "self-signed.lock";
// Clients whose clock is a little behind must not see a certificate from
// the future.
constexpr std::chrono::hours kBackdate{1};

// Held for the whole of keep_self_signed; flock ends with the descriptor.
class DirectoryLock {
 public:
  explicit DirectoryLock(const fs::path& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0 && ::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_;
};

Result<std::string, Problem> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Problem{"cannot read " + path.string() + ": " + std::strerror(errno)};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return {boost::system::in_place_value, std::move(text)};
}

// The certificate on disk and its facts, or why it cannot be used.
Result<CertificateFacts, Problem> usable(const fs::path& cert, const fs::path& key,
                                         const SelfSignedOptions& o, SystemTime now) {
  std::error_code ec;
  if (!fs::exists(cert, ec) && !fs::exists(key, ec)) return Problem{"there was none yet"};
  auto cert_pem = read_text(cert);
  if (!cert_pem) return cert_pem.error();
  auto key_pem = read_text(key);
  if (!key_pem) return key_pem.error();
  auto facts = inspect_certificate({std::move(*cert_pem), std::move(*key_pem)});
  if (!facts)
    return Problem{"the one in " + o.dir.string() + " is unusable: " + facts.error().message};
  if (facts->not_after <= now)
    return Problem{"the last one expired " + format_rfc3339(facts->not_after)};
  if (facts->not_after - o.renew_before <= now)
    return Problem{"the last one expires soon, " + format_rfc3339(facts->not_after)};
  return facts;
}

Result<void, Problem> make_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir.parent_path().empty() ? fs::path(".") : dir.parent_path(), ec);
  // Only the node's user needs this folder; it holds a private key.
  if (!ec && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    ec.assign(errno, std::generic_category());
  if (ec) return Problem{"cannot create " + dir.string() + ": " + ec.message()};
  return {};
}

}  // namespace

Result<SelfSignedCertificate, Problem> keep_self_signed(const SelfSignedOptions& options,
                                                        SystemTime now) {
  if (auto made = make_directory(options.dir); !made) return made.error();
  SelfSignedCertificate out;
  out.files.cert = (options.dir / kCertFile).string();
  out.files.key = (options.dir / kKeyFile).string();
  DirectoryLock lock(options.dir / kLockFile);
  if (!lock.held())
    return Problem{"cannot lock " + (options.dir / kLockFile).string() + ": " +
                   std::strerror(errno)};

  auto existing = usable(out.files.cert, out.files.key, options, now);
  if (existing) {
    out.facts = std::move(*existing);
    return out;
  }
  out.created = true;
  out.reason = existing.error().message;
  auto pem = make_self_signed(options.names, now - kBackdate, now + options.validity);
  if (!pem) return pem.error();
  auto facts = inspect_certificate(*pem);
  if (!facts) return facts.error();
  out.facts = std::move(*facts);
  // Key first: a crash between the two renames leaves a pair that does not
  // match, which the next start replaces; never a certificate without a key.
  for (auto [path, content, mode] : {std::tuple{&out.files.key, &pem->key, mode_t{0600}},
                                     std::tuple{&out.files.cert, &pem->cert, mode_t{0644}}}) {
    if (auto w = write_file_atomically(*path, *content, mode); !w)
      return Problem{"cannot write " + *path + ": " + w.error().message()};
  }
  return out;
}

}  // namespace postern::net
