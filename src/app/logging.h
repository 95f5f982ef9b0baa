// Log set-up from [log]: level and format (human text or one JSON object per
// line for log shippers).
#pragma once

#include <string>

#include "core/config.h"

namespace postern::app {

struct LogOptions {
  std::string level = "info";   // trace, debug, info, warn, error, critical, off
  std::string format = "text";  // text or json
};

// Reads [log]. Errors name the key: an unknown level or format.
Result<LogOptions, ConfigError> read_log_options(ConfigFile& file);

void configure_logging(const LogOptions& options);

}  // namespace postern::app
