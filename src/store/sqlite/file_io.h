// Small file helpers of the SQLite store's own files (the WAL it syncs, the
// content log's segments).
#pragma once

#include <string>

#include "core/error.h"

namespace postern::store::sqlite {

// The store's error for a failed file call: a full disk or quota is
// storage_full (refuse new mail, keep what is stored), anything else
// storage_unavailable.
error_code storage_error(int err);

// fsyncs a directory, so that the names of files created in it are as
// durable as the files' content. Logs what failed.
Result<void> sync_directory(const std::string& directory);

}  // namespace postern::store::sqlite
