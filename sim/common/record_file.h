// --record FILE: one line per accepted message, "service<TAB>postern id<TAB>
// provider message id", written with one write(2) on an O_APPEND descriptor
// as the message is accepted. The page cache keeps it through a kill -9 of
// the simulator, so a restarted simulator reads its counts back.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "sim/common/service_kind.h"

namespace postern::sim {

class RecordFile {
 public:
  // Opens (creating) the file for appending. Errors: Problem naming the path.
  static Result<RecordFile, Problem> open(const std::string& path);

  RecordFile(RecordFile&& other) noexcept;
  RecordFile& operator=(RecordFile&& other) noexcept;
  RecordFile(const RecordFile&) = delete;
  RecordFile& operator=(const RecordFile&) = delete;
  ~RecordFile();

  // Thread-safe: one write(2) per line. Tabs and line breaks inside the ids
  // become spaces so a line always reads back as three fields.
  void append(Service service, std::string_view postern_id, std::string_view provider_id);
  // Empties the file (POST /_sim/reset).
  void truncate();

  // Calls `visit` for every well-formed line of `path`; a torn last line (a
  // kill in the middle of a write) and unknown services are skipped. A
  // missing file is an empty record. Returns the number of lines read.
  static std::size_t replay(const std::string& path,
                            const std::function<void(Service, std::string_view postern_id,
                                                     std::string_view provider_id)>& visit);

 private:
  explicit RecordFile(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace postern::sim
