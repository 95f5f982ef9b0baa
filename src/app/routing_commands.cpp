#include "app/routing_commands.h"

#include <boost/json/parse.hpp>
#include <iostream>

#include "app/command_store.h"
#include "core/time_format.h"

namespace postern::app {
namespace {

// The keys a stored definition sets ("-" for one it removes).
std::string keys_of(const std::string& definition) {
  boost::system::error_code ec;
  auto v = boost::json::parse(definition, ec);
  if (ec || !v.is_object()) return "?";
  std::string out;
  for (const auto& [k, value] : v.get_object()) {
    if (k == "name") continue;
    out += (out.empty() ? "" : ",") + std::string(value.is_null() ? "-" : "") + std::string(k);
  }
  return out.empty() ? "-" : out;
}

}  // namespace

int list_runtime_changes(store::RoutingStore& store, std::ostream& out, std::ostream& err) {
  auto kept = store.load();
  if (!kept) {
    err << "postern: cannot read the store: " << kept.error().message() << "\n";
    return 1;
  }
  for (const auto& p : kept->providers) {
    out << "provider\t" << p.name << '\t' << p.source << '\t' << (p.removed ? "removed" : p.admin)
        << '\t' << format_rfc3339(p.updated_at) << '\t' << (p.removed ? "-" : keys_of(p.definition))
        << '\n';
  }
  for (const auto& s : kept->settings) {
    out << "routing\t" << s.key << '\t' << s.value << '\t' << format_rfc3339(s.updated_at) << '\n';
  }
  return 0;
}

int reset_runtime_changes(store::RoutingStore& store, std::ostream& out, std::ostream& err) {
  auto dropped = store::await_write<std::size_t>([&](auto done) { store.clear(done); });
  if (!dropped) {
    err << "postern: cannot write the store: " << dropped.error().message() << "\n";
    return 1;
  }
  out << "dropped " << *dropped
      << " run-time changes; nodes use their configuration files alone (running ones "
         "within a round trip on PostgreSQL, within 30 s on SQLite)\n";
  return 0;
}

int routing_list(const Config& config) {
  auto s = open_command_store(config);
  if (!s) return 1;
  return list_runtime_changes(s->store->routing(), std::cout, std::cerr);
}

int routing_reset(const Config& config) {
  auto s = open_command_store(config);
  if (!s) return 1;
  return reset_runtime_changes(s->store->routing(), std::cout, std::cerr);
}

}  // namespace postern::app
