// Log set-up from [log]: level and format (human text or one JSON object per
// line for log shippers).
#pragma once

#include "core/config.h"

namespace postern::app {

void configure_logging(const LogConfig& config);

}  // namespace postern::app
