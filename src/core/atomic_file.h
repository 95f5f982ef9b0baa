// Replacing a file so that a crash at any moment leaves either the old
// content or the new one, never a torn mix: write a temporary beside it,
// fsync, rename over, fsync the directory (POSIX rename is atomic within a
// file system).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "core/error.h"

namespace postern {

// Writes `content` to `path` atomically and durably, with permission bits
// `mode` set from creation (a secret never exists with wider ones).
// Errors: the failing system call's error_code; the temporary is removed.
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                   mode_t mode);

}  // namespace postern
