// The cluster link of the PostgreSQL store (store/cluster_link.h): nodes
// on one database find each other through the server, with no membership
// protocol of their own.
//
// One connection per node, apart from the writer's and the readers', holds
// the node's session, which does three things:
//  - Its name: a session-level advisory lock on the node name. A second
//    node started with the same name finds it held and is refused (two
//    nodes of one name would take each other's leases at start,
//    Store::reclaim_leases). The lock goes when the session ends, so a
//    node killed outright frees its name as soon as the server sees its
//    connection close.
//  - Wake-ups: LISTEN kWorkChannel. The writer of every node sends a NOTIFY
//    in each transaction that queued mail (postgres/writer.h), pipelined
//    with its COMMIT; PostgreSQL delivers it at the commit, so an idle
//    dispatcher elsewhere looks at the queue at once rather than at its
//    next poll.
//  - The lead of the once-per-cluster jobs: a session-level advisory lock
//    that one node holds while its session lives, the others trying it
//    every kLeadRetry. Session-level rather than pg_try_advisory_xact_lock
//    in each job's transaction because a job is many transactions (a sweep
//    deletes in batches, reclaims content, and some jobs write through
//    other stores' writers): one check before each round, and no job's SQL
//    changes. The price: a node cut from the database leads until its
//    thread sees the connection end (at once for a closed connection,
//    after TCP keepalive for a silent network), so two sweeps may overlap
//    at a handover; a sweep is idempotent, so that only repeats work.
//
// A thread of the link's waits on the connection; when it is lost, the
// thread connects again (every kLeadRetry), takes the name and LISTEN
// again, and wakes the dispatcher once, for what it may have missed.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/cluster_link.h"

namespace postern::store::postgres {

class Connection;

// The channel the writers notify when they queued mail.
inline constexpr const char* kWorkChannel = "postern_work";

class PgClusterLink final : public ClusterLink {
 public:
  // `conninfo`: the store's (store.url). Nothing connects before join().
  explicit PgClusterLink(std::string conninfo);
  ~PgClusterLink() override;
  PgClusterLink(const PgClusterLink&) = delete;
  PgClusterLink& operator=(const PgClusterLink&) = delete;

  Result<void> join(const std::string& node, std::function<void()> work) override;
  bool leads() override { return leading_; }
  void leave() override;

 private:
  void run();
  // Takes the node's name and LISTENs on a fresh session; false when the
  // connection failed meanwhile.
  Result<bool> take_name();
  // Tries the jobs' lock (kLeadRetry apart while another node holds it).
  void try_lead();

  std::string conninfo_;
  std::string node_;
  std::function<void()> work_;
  std::unique_ptr<Connection> conn_;  // used by the thread once it runs
  int wake_fd_ = -1;                  // an eventfd: leave() ends the thread's wait
  std::atomic<bool> leading_{false};
  std::atomic<bool> stopping_{false};
  std::mutex leave_mu_;  // one leave() at a time
  std::thread thread_;
};

}  // namespace postern::store::postgres
