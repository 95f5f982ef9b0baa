#include "app/command_store.h"

#include <iostream>

namespace postern::app {
namespace {

constexpr std::size_t kCommandBatch = 64;
constexpr std::size_t kCommandQueue = 1024;
constexpr std::size_t kCommandReaders = 1;

}  // namespace

std::unique_ptr<CommandStore> open_command_store(const Config& config) {
  auto s = std::make_unique<CommandStore>();
  store::sqlite::SqliteOptions options;
  options.path = config.store.sqlite.path;
  options.max_batch = kCommandBatch;
  options.max_queue = kCommandQueue;
  options.readers = kCommandReaders;
  auto opened = store::sqlite::SqliteStore::open(options, s->clock, s->metrics);
  if (!opened) {
    std::cerr << "postern: cannot open the store at " << options.path << ": "
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
