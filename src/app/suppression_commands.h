// `postern suppressions list|add|remove|import|export`: the suppression
// list (docs/events.md) managed from the shell, against the store a
// server may be running on. These work on any store::EventStore, so that
// tests give them a fake; admin_commands.cpp opens the real one.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/event_store.h"

namespace postern::app {

// Every entry, one a line: address, reason, provider, message id, time,
// detail, separated by tabs.
int list_suppressed(store::EventStore& list, std::ostream& out, std::ostream& err);
// Adds each address (checked as the API checks them) with `reason`
// (default manual) and `detail`; says how many were new.
int add_suppressed(store::EventStore& list, const Clock& clock,
                   const std::vector<std::string>& addresses, const std::string& reason,
                   const std::string& detail, std::ostream& err);
int remove_suppressed(store::EventStore& list, const std::string& address, std::ostream& err);
// Reads CSV (header row address,reason,...; events/suppression_csv.h) and
// adds its entries a batch at a time, saying on `err` how far it got every
// `progress_every` entries. Stops at the first bad row, naming it; the
// rows before it are added (adding is idempotent: run it again once the
// row is fixed).
int import_suppressed(store::EventStore& list, const Clock& clock, std::istream& in,
                      std::ostream& err, std::size_t progress_every = 10000);
// The whole list as CSV, with the header row.
int export_suppressed(store::EventStore& list, std::ostream& out, std::ostream& err);

}  // namespace postern::app
