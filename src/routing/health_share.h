// Provider health per node, shared as a view (docs/routing.md "Health on
// several nodes"). Each node probes and watches the providers from its own
// network, so each has its own verdict; this keeps the node's verdicts in
// the store (RoutingStore::record_provider_health) and reads every node's,
// so that GET /v1/providers on any node shows how each node sees each
// provider. Routing itself never reads other nodes' rows: a node routes by
// what it sees.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "routing/views.h"
#include "store/routing_store.h"

namespace postern::routing {

// How often a node writes its rows when nothing changes, so that readers
// can tell a live node's rows from a gone one's.
inline constexpr std::chrono::milliseconds kHealthSharePeriod{std::chrono::seconds(10)};
// A row not written for this many periods is shown as stale.
inline constexpr int kHealthStalePeriods = 3;
// How long read() answers from the rows it last read: a client polling
// GET /v1/providers does not cost a store read per call, and the other
// nodes' rows (written once a period at most) are never much older.
inline constexpr std::chrono::milliseconds kHealthReadReuse{std::chrono::seconds(1)};

class HealthShare {
 public:
  // `node`: this node's name among those sharing `store`
  // (store::node_name_or_host). The store outlives it.
  HealthShare(store::RoutingStore& store, std::string node, const Clock& clock,
              std::chrono::milliseconds period = kHealthSharePeriod);

  // With the router's current providers (from the health timer): writes
  // this node's rows when a state or reason changed, a provider came or
  // went, or a period passed since the last write. One write at a time; a
  // failed one is tried again at the next call.
  void update(const std::vector<ProviderView>& providers);

  // Every node's rows, by provider name, each list by node; a row older
  // than kHealthStalePeriods periods is marked stale (at this call). The
  // rows are read from the store again only when kHealthReadReuse passed
  // since the last read or this node wrote its own since; thread-safe.
  Result<std::map<std::string, std::vector<NodeHealthView>>> read() const;

  const std::string& node() const { return node_; }

 private:
  struct Writes;  // what was last written, and whether a write is out
  // The rows read last, and when. Its lock is held across a store read,
  // so that callers at the same moment share one.
  struct LastRead {
    std::mutex mu;
    std::vector<store::ProviderHealthRow> rows;  // guarded by mu
    std::optional<SteadyTime> at;                // guarded by mu; none: read again
    std::uint64_t writes_seen = 0;               // Writes::done when read
  };
  // The store's rows, read again when the last read is out of date.
  Result<std::vector<store::ProviderHealthRow>> rows() const;

  store::RoutingStore& store_;
  const std::string node_;
  const Clock& clock_;
  const std::chrono::milliseconds period_;
  std::shared_ptr<Writes> writes_;  // shared with the write's completion
  mutable LastRead last_read_;
};

}  // namespace postern::routing
