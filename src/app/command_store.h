// The store as the CLI's admin commands open it (`postern keys`, `users`,
// `test-accounts`): the server's database, beside a server that may be
// running on it, with no more batching, queue or readers than a command's
// write or two need.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "store/await_write.h"
#include "store/node_store.h"

namespace postern::app {

struct CommandStore {
  SystemClock clock;
  MetricsRegistry metrics;
  std::unique_ptr<store::NodeStore> store;
};

// Null (after saying why on stderr) when the store cannot be opened.
std::unique_ptr<CommandStore> open_command_store(const Config& config);

// Runs one store write and waits for its durable answer.
using store::await_write;

// Says on stderr why a write about the `what` named `name` failed (exists,
// does not exist, or the store's error) and gives the exit status: 0 when
// it did not fail, else 1.
int report_write(const error_code& ec, const std::string& what, const std::string& name);

}  // namespace postern::app
