// The HTTP API's own settings ([http] max_wait) and their reading from the
// configuration file; the HTTP server's are net::HttpServerOptions.
#pragma once

#include <chrono>

#include "core/config.h"

namespace postern::http {

struct ApiOptions {
  std::chrono::seconds max_wait{60};  // upper bound of Prefer: wait=N
};

// Reads http.max_wait. Errors name the key.
Result<ApiOptions, ConfigError> read_api_options(ConfigFile& file);

}  // namespace postern::http
