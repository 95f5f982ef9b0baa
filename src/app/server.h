// `postern serve`: the composition root. The only place that names concrete
// classes (the store through store/open_store.h, the providers, the servers) and wires them
// together, besides the CLI's admin commands (admin_commands.h), which open the store alone.
#pragma once

#include "app/config.h"

namespace postern::app {

// Runs until SIGTERM or SIGINT, then shuts down gracefully. Returns the
// process exit code.
int serve(const Config& config);

}  // namespace postern::app
