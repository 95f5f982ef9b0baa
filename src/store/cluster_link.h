// How a node works beside the other nodes sharing its store (cluster mode,
// docs/operations.md "Several nodes"): its name is its own, it hears of
// mail other nodes queued, and one node at a time runs the jobs that are
// once per cluster (retention, expiry). The backend provides it
// (Store::cluster()), so that what uses it (the dispatcher's wake-up, the
// sweepers) does not know the backend: SQLite's is one node alone;
// PostgreSQL's uses the server's advisory locks and LISTEN/NOTIFY.
#pragma once

#include <functional>
#include <string>

#include "core/error.h"

namespace postern::store {

class ClusterLink {
 public:
  virtual ~ClusterLink() = default;

  // Takes `node` as this node's name among the nodes sharing the store
  // (the lease owner and the boot record's name), then calls `work` (on a
  // thread of the link's; quick, and not calling back into the store)
  // whenever mail another node stored may be due now: queued, retried or
  // reclaimed there. Once, before any lease. Errors: conflict when a running
  // node already holds the name; storage_unavailable.
  virtual Result<void> join(const std::string& node, std::function<void()> work) = 0;

  // Whether this node is to run the once-per-cluster jobs now: asked before
  // each round. A node that stops leading (closed, or cut from the
  // database) lets another take over; a job that runs twice at a handover
  // only repeats work (the jobs are idempotent sweeps).
  virtual bool leads() = 0;

  // Gives up the name and the lead; `work` is no longer called once this
  // returns. Idempotent; the store's close() does it too.
  virtual void leave() = 0;
};

// The link of a store no other node shares (SQLite): the name is free,
// other nodes queue nothing (this node's own intake wakes its dispatcher),
// and this node leads.
class SoleNode final : public ClusterLink {
 public:
  Result<void> join(const std::string&, std::function<void()>) override { return {}; }
  bool leads() override { return true; }
  void leave() override {}
};

}  // namespace postern::store
