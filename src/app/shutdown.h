// How a node stops ([shutdown], docs/operations.md "Draining"): on SIGTERM
// or SIGINT it first drains (answers /readyz with 503 while serving as
// before, so that a load balancer's health check takes it out of
// rotation), then stops accepting and gives the work in flight
// stop_grace to finish.
#pragma once

#include <signal.h>

#include <chrono>

#include "core/config.h"

namespace postern::app {

struct ShutdownOptions {
  // 0: no drain (a single node, `make run`). Behind HAProxy: longer than
  // its health check takes to mark the node down (fall × inter).
  std::chrono::milliseconds drain_grace{0};
  // Sessions and requests in flight get this long once the listeners close.
  std::chrono::milliseconds stop_grace{std::chrono::seconds(10)};
};

// Reads [shutdown]. Errors name the key.
Result<ShutdownOptions, ConfigError> read_shutdown_options(ConfigFile& file);

// The drain: waits `options.drain_grace`, or less when one of `signals`
// (blocked in every thread) comes again: a second SIGTERM or SIGINT ends
// it at once; SIGHUP is ignored meanwhile.
void drain(const ShutdownOptions& options, const sigset_t& signals);

}  // namespace postern::app
