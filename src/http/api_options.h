// The HTTP API's own settings ([http] max_wait, ui_dir) and their reading
// from the configuration file; the HTTP server's are net::HttpServerOptions.
#pragma once

#include <chrono>
#include <string>

#include "core/config.h"

namespace postern::http {

struct ApiOptions {
  std::chrono::seconds max_wait{60};  // upper bound of Prefer: wait=N
  // The built web UI the gateway serves at / (docs/ui.md), read at start.
  // Relative to the working directory: `make run` starts in the source tree.
  std::string ui_dir = "web/dist";
};

// Reads http.max_wait and http.ui_dir. Errors name the key.
Result<ApiOptions, ConfigError> read_api_options(ConfigFile& file);

}  // namespace postern::http
