#include "app/command_store.h"

#include <iostream>

#include "store/open_store.h"

namespace postern::app {
namespace {

constexpr std::size_t kCommandBatch = 64;
constexpr std::size_t kCommandQueue = 1024;
constexpr std::size_t kCommandReaders = 1;

}  // namespace

std::unique_ptr<CommandStore> open_command_store(const Config& config) {
  auto s = std::make_unique<CommandStore>();
  store::StoreConfig options = config.store;
  options.sqlite.max_batch = kCommandBatch;
  options.sqlite.max_queue = kCommandQueue;
  options.sqlite.readers = kCommandReaders;
  options.postgres.max_batch = kCommandBatch;
  options.postgres.max_queue = kCommandQueue;
  options.postgres.readers = kCommandReaders;
  auto opened = store::open_node_store(options, s->clock, s->metrics);
  if (!opened) {
    std::cerr << "postern: cannot open the store at " << store::store_location(options) << ": "
              << opened.error().message() << "\n";
    return nullptr;
  }
  s->store = std::move(*opened);
  return s;
}

int report_write(const error_code& ec, const std::string& what, const std::string& name) {
  if (!ec) return 0;
  if (ec == Errc::conflict)
    std::cerr << "postern: a " << what << " named '" << name << "' exists\n";
  else if (ec == Errc::not_found)
    std::cerr << "postern: no " << what << " named '" << name << "'\n";
  else
    std::cerr << "postern: cannot write the store: " << ec.message() << "\n";
  return 1;
}

}  // namespace postern::app
