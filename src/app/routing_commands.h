// `postern routing list|reset`: the providers and routing changed at run
// time that the store keeps (docs/routing.md "Run-time changes"), shown or
// dropped from the shell, beside a server that may be running on the store.
#pragma once

#include <iosfwd>

#include "app/config.h"
#include "store/routing_store.h"

namespace postern::app {

// One line per kept change: what it is and which keys it sets (never
// their values: they may be secrets).
int list_runtime_changes(store::RoutingStore& store, std::ostream& out, std::ostream& err);
// Drops them all; says how many, and that a running node keeps its own
// until it restarts.
int reset_runtime_changes(store::RoutingStore& store, std::ostream& out, std::ostream& err);

int routing_list(const Config& config);
int routing_reset(const Config& config);

}  // namespace postern::app
