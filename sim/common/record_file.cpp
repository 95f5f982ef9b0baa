#include "sim/common/record_file.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace postern::sim {

namespace {

void append_clean(std::string& line, std::string_view field) {
  for (char c : field) line += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
}

}  // namespace

Result<RecordFile, Problem> RecordFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Problem{"--record " + path + ": " + std::strerror(errno)};
  return RecordFile(fd);
}

RecordFile::RecordFile(RecordFile&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

RecordFile& RecordFile::operator=(RecordFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

RecordFile::~RecordFile() {
  if (fd_ >= 0) ::close(fd_);
}

void RecordFile::append(Service service, std::string_view postern_id,
                        std::string_view provider_id) {
  std::string line;
  line.reserve(16 + postern_id.size() + provider_id.size());
  line += service_name(service);
  line += '\t';
  append_clean(line, postern_id);
  line += '\t';
  append_clean(line, provider_id);
  line += '\n';
  // O_APPEND makes each write land whole at the end, whichever thread calls.
  auto n = ::write(fd_, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size()))
    spdlog::warn("sim: --record write failed: {}", std::strerror(errno));
}

void RecordFile::truncate() {
  if (::ftruncate(fd_, 0) != 0)
    spdlog::warn("sim: --record truncate failed: {}", std::strerror(errno));
}

std::size_t RecordFile::replay(
    const std::string& path,
    const std::function<void(Service, std::string_view, std::string_view)>& visit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return 0;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t lines = 0;
  std::string_view rest(content);
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    if (nl == std::string_view::npos) break;  // torn last line
    auto line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    auto tab1 = line.find('\t');
    auto tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos) continue;
    auto service = parse_service(line.substr(0, tab1));
    if (!service) continue;
    visit(*service, line.substr(tab1 + 1, tab2 - tab1 - 1), line.substr(tab2 + 1));
    ++lines;
  }
  return lines;
}

}  // namespace postern::sim
