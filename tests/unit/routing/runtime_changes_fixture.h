// What the tests of run-time changes share: a routing store kept in
// memory that several nodes (routing services) use, as they would a
// PostgreSQL database, and a fixture starting such nodes.
#pragma once

#include <gtest/gtest.h>

#include "routing/routing_service.h"
#include "routing/runtime_changes.h"
#include "routing/sync_routing.h"
#include "support/memory_routing_store.h"

namespace postern::routing::test_support {

using namespace std::chrono_literals;

using test::MemoryRoutingStore;

inline ProviderConfig capture(const std::string& name, const std::string& entry = "") {
  ProviderConfig c;
  c.name = name;
  c.type = "capture";
  c.key_path = "providers[" + name + "]";
  c.file_entry = entry.empty() ? "name=" + name + "\ntype=capture\n" : entry;
  return c;
}

inline ProviderConfig api_capture(const std::string& name) {
  ProviderConfig c;
  c.name = name;
  c.type = "capture";
  c.key_path = "settings";
  return c;
}

// One node: a routing service keeping its changes in the shared store.
struct Node {
  Node(net::IoRuntime& io, providers::ProviderContext& context,
       const providers::ProviderRegistry& registry, test::FakeClock& clock,
       MetricsRegistry& metrics, store::RoutingStore& store)
      : service(io, registry, context, clock, metrics), manage(service) {
    service.keep_changes_in(store);
  }
  std::map<std::string, ProviderView> views() {
    std::map<std::string, ProviderView> out;
    for (auto& v : service.list()) out.emplace(v.name, v);
    return out;
  }
  RoutingService service;
  test::SyncRouting manage;
};

class RuntimeChangesTest : public ::testing::Test, protected test::RoutingServiceDeps {
 protected:
  RuntimeChangesTest() { file_.providers = {capture("a"), capture("b")}; }

  // A (re)started node applying `file`.
  std::unique_ptr<Node> start(const RoutingConfig& file) {
    auto node = std::make_unique<Node>(io_, context_, registry_, clock_, metrics_, store_);
    auto applied = node->service.apply(file);
    EXPECT_TRUE(applied) << applied.error().to_string();
    return node;
  }

  MemoryRoutingStore store_;
  RoutingConfig file_;
};

}  // namespace postern::routing::test_support
